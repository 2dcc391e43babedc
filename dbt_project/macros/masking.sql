{#- Display masking for BI-facing tables (docs/domain.md §6): name 张*三 / Z*** W**,
    id 110***********1234, mobile 138****5678. Inputs are the standardized values. -#}

{#- Han-character name: keep first and last character, star the middle; two characters keep the first. -#}
{% macro mask_local_name(expr) -%}
    case
        when {{ expr }} is null then null
        when length({{ expr }}) = 1 then '*'
        when length({{ expr }}) = 2 then left({{ expr }}, 1) || '*'
        else left({{ expr }}, 1) || repeat('*', length({{ expr }}) - 2) || right({{ expr }}, 1)
    end
{%- endmacro %}

{#- One romanized name part (no spaces after cleaning of the family/given name): first letter, then stars. -#}
{% macro mask_roman_word(expr) -%}
    case
        when {{ expr }} is null then null
        else left({{ expr }}, 1) || repeat('*', length({{ expr }}) - 1)
    end
{%- endmacro %}

{#- Identity number: CN resident ids keep the 3-digit region prefix and last 4; anything else keeps only
    the last 4 (a 9-digit SSN with 3 + 4 shown would reveal 7 of 9 digits). -#}
{% macro mask_id_number(id_type_expr, expr) -%}
    case
        when {{ expr }} is null then null
        when length({{ expr }}) <= 4 then repeat('*', length({{ expr }}))
        when {{ id_type_expr }} = 'CN_RESIDENT_ID' and length({{ expr }}) >= 8
            then left({{ expr }}, 3) || repeat('*', length({{ expr }}) - 7) || right({{ expr }}, 4)
        else repeat('*', length({{ expr }}) - 4) || right({{ expr }}, 4)
    end
{%- endmacro %}

{#- Phone: 11-digit numbers keep 3 + 4 (138****5678); others keep the last 4. -#}
{% macro mask_phone(expr) -%}
    case
        when {{ expr }} is null then null
        when length({{ expr }}) = 11 then left({{ expr }}, 3) || '****' || right({{ expr }}, 4)
        when length({{ expr }}) <= 4 then repeat('*', length({{ expr }}))
        else repeat('*', length({{ expr }}) - 4) || right({{ expr }}, 4)
    end
{%- endmacro %}

{#- Romanized name of up to four words (ZHAO WEI -> Z*** W**); further words are dropped from the display. -#}
{% macro mask_roman_name(expr) -%}
    nullif(
        trim(
            {%- for i in range(1, 5) %}
            {{ '|| ' if not loop.first }}coalesce({{ mask_roman_word("nullif(split_part(" ~ expr ~ ", ' ', " ~ i ~ "), '')") }} || ' ', '')
            {%- endfor %}
        ),
        ''
    )
{%- endmacro %}
