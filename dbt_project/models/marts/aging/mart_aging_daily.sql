{{ config(unique_key='business_date') }}

{#- Aging per business date x product x branch x vintage month x bucket. Reads only the run's date of
    fct_account_daily and replaces that date. Shares are of the outstanding book of the date: buckets
    with is_on_book (CURRENT..M7+); off-book buckets (charged off, closed with nothing owed,
    transferred) are listed with their counts and balances but carry no share. -#}
with

accounts as (

    select * from {{ ref('fct_account_daily') }}
    where {{ business_date_filter('business_date') }}

),

dpd_buckets as (

    select * from {{ ref('dpd_buckets') }}

),

aged as (

    select
        accounts.business_date,
        accounts.product_code,
        accounts.branch_code,
        accounts.vintage_month,
        accounts.bucket_code,
        accounts.bucket_order,
        dpd_buckets.is_on_book,
        accounts.is_month_end,
        count(*) as account_count,
        sum(accounts.current_balance) as current_balance,
        sum(accounts.amount_past_due) as amount_past_due

    from accounts

    inner join dpd_buckets
        on dpd_buckets.bucket_code = accounts.bucket_code

    group by 1, 2, 3, 4, 5, 6, 7, 8

),

book_totals as (

    select
        business_date,
        sum(account_count) as book_account_count,
        sum(current_balance) as book_balance

    from aged
    where is_on_book
    group by 1

),

final as (

    select
        aged.business_date,
        aged.product_code,
        aged.branch_code,
        aged.vintage_month,
        aged.bucket_code,
        aged.bucket_order,
        aged.is_on_book,
        aged.is_month_end,
        cast(aged.account_count as bigint) as account_count,
        {{ money('aged.current_balance') }} as current_balance,
        {{ money('aged.amount_past_due') }} as amount_past_due,
        cast(
            case
                when aged.is_on_book
                    then aged.account_count / nullif(cast(book_totals.book_account_count as numeric(38, 10)), 0)
            end
            as numeric(18, 10)
        ) as share_of_book_accounts,
        cast(
            case
                when aged.is_on_book
                    then aged.current_balance / nullif(cast(book_totals.book_balance as numeric(38, 10)), 0)
            end
            as numeric(18, 10)
        ) as share_of_book_balance

    from aged

    left join book_totals
        on book_totals.business_date = aged.business_date

)

select * from final
