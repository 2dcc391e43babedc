{#- The current customer versions this run refreshed (every customer without the business_date var): the
    input of snapshot snap_customers, so the daily snapshot compares the day's changes with their open
    versions instead of every customer (customers absent here are unchanged; the snapshot keeps them). -#}
select {{ customer_version_columns() | join(', ') }}

from {{ ref('int_customers_current') }}

where {{ business_date_filter('refreshed_on') }}
