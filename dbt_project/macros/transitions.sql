{#- How an account moved between two bucket states: the one rule for the daily transitions and the monthly
    roll-rate matrix. `to_min_dpd` is null for a state off the DPD scale (charged off, closed, transferred,
    missing); orders come from seed dpd_buckets. -#}
{% macro transition_type(from_bucket, to_bucket, to_min_dpd, from_order, to_order) -%}
    case
        when {{ from_bucket }} = 'NEW' then 'new'
        when {{ from_bucket }} = {{ to_bucket }} then 'stay'
        when {{ to_min_dpd }} is null then 'absorbed'
        when {{ to_order }} < {{ from_order }} then 'cure'
        else 'roll_forward'
    end
{%- endmacro %}

{#- Each account's state on the snapshots a transition or flow model compares: its bucket and the balance
    its moves weigh, the outstanding receivable (a credit balance weighs nothing), with any other
    `columns` of fct_account_daily the model needs. `where` picks the snapshots. -#}
{% macro account_states(where, columns=[]) -%}
    select
        business_date,
        account_id,
        bucket_code,
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        greatest(current_balance, 0) as balance

    from {{ ref('fct_account_daily') }}

    where {{ where }}
{%- endmacro %}

{#- The cells of a bucket transition matrix, the one definition behind the daily transitions and the monthly
    roll-rate matrix: accounts and balances per `period_columns` (two dates) x from_bucket x to_bucket,
    with both states' bucket_order and the transition type, typed as the marts publish them.
    `account_transitions` holds one row per account: the period columns, from_bucket, to_bucket,
    opening_balance, closing_balance. A state off the seed (NEW, MISSING) has a null order, unless
    missing_sorts_last: then MISSING sorts after every bucket of the seed. -#}
{% macro transition_cells(account_transitions, period_columns, missing_sorts_last=false) -%}
    select
        {%- for column in period_columns %}
        cast(cells.{{ column }} as date) as {{ column }},
        {%- endfor %}
        cast(cells.from_bucket as varchar) as from_bucket,
        cast(cells.to_bucket as varchar) as to_bucket,
        cast(from_state.bucket_order as integer) as from_bucket_order,
        {%- if missing_sorts_last %}
        cast(
            coalesce(to_state.bucket_order, (select max(bucket_order) + 1 from {{ ref('dpd_buckets') }}))
            as integer
        ) as to_bucket_order,
        {%- else %}
        cast(to_state.bucket_order as integer) as to_bucket_order,
        {%- endif %}
        cast(
            {{ transition_type('cells.from_bucket', 'cells.to_bucket', 'to_state.min_dpd',
                               'from_state.bucket_order', 'to_state.bucket_order') }} as varchar
        ) as transition_type,
        cast(cells.accounts as bigint) as accounts,
        cast(cells.opening_balance as numeric(20, 2)) as opening_balance,
        cast(cells.closing_balance as numeric(20, 2)) as closing_balance

    from (
        select
            {{ period_columns | join(', ') }},
            from_bucket,
            to_bucket,
            count(*) as accounts,
            sum(opening_balance) as opening_balance,
            sum(closing_balance) as closing_balance

        from {{ account_transitions }}

        group by {{ period_columns | join(', ') }}, from_bucket, to_bucket
    ) as cells

    left join {{ ref('dpd_buckets') }} as from_state
        on from_state.bucket_code = cells.from_bucket

    left join {{ ref('dpd_buckets') }} as to_state
        on to_state.bucket_code = cells.to_bucket
{%- endmacro %}
