{{ config(unique_key='business_date') }}

{#- 回款率's daily parts by holder, placement month and bucket at placement: the balance placed on the run's
    date, and the payments posted that day on accounts a holder works. The platform places accounts after
    the day's postings (balance_at_placement is the day's closing balance), so a payment posted on
    valid_from precedes the placement and one posted on valid_to (the day the account cured, was escalated
    or closed) is the closing holder's: a payment counts for the assignment with
    valid_from < posting date <= valid_to (open: no upper bound). Cost: the day's payments and placements,
    and the assignment versions of the accounts that paid that day. -#}

with

payments as (

    select * from {{ ref('stg_payments') }}
    where {{ business_date_filter('business_date') }}

),

placements as (

    select * from {{ ref('int_collection_placements') }}

),

{# the versions of the paying accounts' assignments delivered up to the payment's date; the latest one
    of each assignment is its state that day #}
assignment_versions as (

    select
        payments.business_date,
        payments.payment_id,
        payments.payment_amount,
        versions.assignment_id,
        versions.valid_from,
        versions.valid_to,
        row_number() over (
            partition by payments.business_date, payments.payment_id, versions.assignment_id
            order by versions.business_date desc
        ) as newest_first

    from payments

    inner join {{ ref('stg_collection_assignments') }} as versions
        on versions.account_id = payments.account_id
        and versions.business_date <= payments.business_date
        and versions.valid_from < payments.business_date

),

assignment_states as (

    select * from assignment_versions
    where newest_first = 1

),

recovered as (

    select
        assignment_states.business_date,
        placements.holder_id,
        placements.placement_month,
        placements.bucket_at_placement,
        cast(count(*) as integer) as payments_posted,
        sum(assignment_states.payment_amount) as recovered_amount

    from assignment_states

    inner join placements
        on placements.assignment_id = assignment_states.assignment_id

    where assignment_states.valid_to is null
        or assignment_states.valid_to >= assignment_states.business_date

    group by
        assignment_states.business_date,
        placements.holder_id,
        placements.placement_month,
        placements.bucket_at_placement

),

placed as (

    select
        business_date,
        holder_id,
        placement_month,
        bucket_at_placement,
        cast(count(*) as integer) as accounts_placed,
        sum(balance_at_placement) as placement_balance

    from placements
    where {{ business_date_filter('business_date') }}

    group by business_date, holder_id, placement_month, bucket_at_placement

),

final as (

    select
        coalesce(placed.business_date, recovered.business_date) as business_date,
        cast(coalesce(placed.holder_id, recovered.holder_id) as varchar) as holder_id,
        cast(holders.holder_type as varchar) as holder_type,
        coalesce(placed.placement_month, recovered.placement_month) as placement_month,
        cast(coalesce(placed.bucket_at_placement, recovered.bucket_at_placement) as varchar) as bucket_at_placement,
        coalesce(placed.accounts_placed, 0) as accounts_placed,
        cast(coalesce(placed.placement_balance, 0) as numeric(20, 2)) as placement_balance,
        coalesce(recovered.payments_posted, 0) as payments_posted,
        cast(coalesce(recovered.recovered_amount, 0) as numeric(20, 2)) as recovered_amount

    from placed

    full outer join recovered
        on recovered.business_date = placed.business_date
        and recovered.holder_id = placed.holder_id
        and recovered.placement_month = placed.placement_month
        and recovered.bucket_at_placement = placed.bucket_at_placement

    left join {{ ref('collection_holders') }} as holders
        on coalesce(placed.holder_id, recovered.holder_id) = holders.holder_id

)

select * from final
