{{ config(materialized='table') }}

{#- Records a bureau rejected (its feedback on a submitted file, creditwh.reporting.feedback) and whether a
    later publication of the same period has sent the account again: a rejection is corrected by the first
    publication of the period with a higher sequence than the rejected file's that carries the account (the
    same rule as creditwh.reporting.feedback.corrections.open_rejections_sql, which the publications read).
    A table rebuilt on every run: the rows are the feedback ever received (small), and a correction can
    come on any later date. Tables not created yet (no feedback loaded, nothing published) read as empty
    (macro relation_or_empty). -#}

with

rejections as (

    select * from {{ relation_or_empty(source('bureau_feedback', 'bureau_feedback_rejections'), [
        ('bureau', 'varchar'), ('submitted_file', 'varchar'), ('line_number', 'integer'),
        ('period_end', 'date'), ('submitted_sequence', 'integer'), ('record_type', 'varchar'),
        ('record_key', 'varchar'), ('account_id', 'varchar'), ('field', 'varchar'), ('segment', 'varchar'),
        ('error_code', 'varchar'), ('message', 'varchar')]) }}

),

feedback_files as (

    select
        bureau,
        submitted_file,
        received_on

    from {{ relation_or_empty(source('bureau_feedback', 'bureau_feedback_files'), [
        ('bureau', 'varchar'), ('submitted_file', 'varchar'), ('received_on', 'date')]) }}

),

publications as (

    select
        'METRO2' as bureau,
        period_end,
        publication_sequence,
        account_id

    from {{ relation_or_empty(source('bureau_publications', 'bureau_published'), [
        ('period_end', 'date'), ('publication_sequence', 'integer'), ('account_id', 'varchar')]) }}

    union all

    select
        'PBOC' as bureau,
        period_end,
        publication_sequence,
        account_id

    from {{ relation_or_empty(source('bureau_publications', 'pboc_published'), [
        ('period_end', 'date'), ('publication_sequence', 'integer'), ('account_id', 'varchar')]) }}

),

corrections as (

    select
        rejections.bureau,
        rejections.submitted_file,
        rejections.line_number,
        min(publications.publication_sequence) as corrected_in_sequence

    from rejections
    inner join publications
        on
            publications.bureau = rejections.bureau
            and publications.period_end = rejections.period_end
            and publications.account_id = rejections.account_id
            and publications.publication_sequence > rejections.submitted_sequence
    group by rejections.bureau, rejections.submitted_file, rejections.line_number

)

select
    rejections.bureau,
    rejections.period_end,
    rejections.submitted_file,
    rejections.submitted_sequence,
    rejections.record_type,
    rejections.line_number,
    rejections.account_id,
    rejections.record_key,
    rejections.field,
    rejections.segment,
    rejections.error_code,
    rejections.message,
    feedback_files.received_on,
    corrections.corrected_in_sequence,
    corrections.corrected_in_sequence is not null as is_corrected

from rejections
inner join feedback_files
    on
        feedback_files.bureau = rejections.bureau
        and feedback_files.submitted_file = rejections.submitted_file
left join corrections
    on
        corrections.bureau = rejections.bureau
        and corrections.submitted_file = rejections.submitted_file
        and corrections.line_number = rejections.line_number
