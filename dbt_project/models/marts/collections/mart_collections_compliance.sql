{{ config(unique_key='business_date') }}

{#- Every collection action of the run's date that breaks a contact rule (seed collection_contact_rules):
    stamped outside the allowed local hours, or a call attempt over a frequency cap. A cap's window reaches
    back window_days - 1 dates, so a daily run reads the actions of the longest window only; its length is
    read from the seed when the model compiles (a unit test, whose seed is a fixture, reads its given rows
    whole). -#}
{%- set window_read = '1 = 1' -%}
{%- if execute and model.resource_type != 'unit_test' and var('business_date', none) is not none -%}
    {%- set longest = run_query('select max(window_days) from ' ~ ref('collection_contact_rules')) -%}
    {%- set window_read = business_date_lookback_filter((longest.columns[0].values()[0] or 1) | int - 1) -%}
{%- endif %}

with

actions as (

    select * from {{ ref('stg_collection_actions') }}
    where {{ window_read }}

),

contact_rules as (

    select * from {{ ref('collection_contact_rules') }}

),

call_attempt_channels as (

    select * from {{ ref('collection_call_attempt_channels') }}

),

todays_actions as (

    select * from actions
    where {{ business_date_filter('business_date') }}

),

outside_hours as (

    select
        todays_actions.business_date,
        todays_actions.action_id,
        contact_rules.rule_id,
        contact_rules.rule_type,
        cast(null as integer) as attempts_in_window,
        cast(null as integer) as max_attempts
    from todays_actions
    inner join contact_rules
        on contact_rules.rule_type = 'HOURS'
    where cast(todays_actions.action_ts as time) < contact_rules.allowed_from
        or cast(todays_actions.action_ts as time) >= contact_rules.allowed_to

),

call_attempts as (

    select actions.*
    from actions
    inner join call_attempt_channels
        on actions.channel = call_attempt_channels.channel

),

{#- each of the day's call attempts with the account's attempts in the cap's window up to and including
    it (in time order, action id breaking ties): the 4th of a day counts 4 -#}
attempts_counted as (

    select
        attempt.business_date,
        attempt.action_id,
        contact_rules.rule_id,
        contact_rules.rule_type,
        cast(count(*) as integer) as attempts_in_window,
        contact_rules.max_attempts
    from call_attempts as attempt
    inner join contact_rules
        on contact_rules.rule_type = 'FREQUENCY'
    inner join call_attempts as earlier
        on attempt.account_id = earlier.account_id
        and earlier.business_date <= attempt.business_date
        and earlier.business_date > cast(
            {{ dbt.dateadd('day', '-contact_rules.window_days', 'attempt.business_date') }} as date
        )
        and (
            earlier.action_ts < attempt.action_ts
            or (earlier.action_ts = attempt.action_ts and earlier.action_id <= attempt.action_id)
        )
    where {{ business_date_filter('attempt.business_date') }}
    group by
        attempt.business_date,
        attempt.action_id,
        contact_rules.rule_id,
        contact_rules.rule_type,
        contact_rules.max_attempts

),

over_cap as (

    select * from attempts_counted
    where attempts_in_window > max_attempts

),

violations as (

    select * from outside_hours
    union all
    select * from over_cap

),

final as (

    select
        violations.business_date,
        violations.action_id,
        violations.rule_id,
        violations.rule_type,
        todays_actions.account_id,
        cast(todays_actions.holder_id as varchar) as holder_id,
        cast(todays_actions.collector_id as varchar) as collector_id,
        cast(todays_actions.channel as varchar) as channel,
        todays_actions.action_ts,
        violations.attempts_in_window,
        violations.max_attempts
    from violations
    inner join todays_actions
        on violations.business_date = todays_actions.business_date
        and violations.action_id = todays_actions.action_id

)

select * from final
