{#- Identity-number and phone standardization. Inputs are already cleaned with clean_text(). -#}

{#- Normalized id number: full-width folded, separators (space, hyphen, dot) removed, upper-case
    (the CN check character is an upper-case X). -#}
{% macro normalize_id_number(expr) -%}
    nullif(upper(regexp_replace({{ fold_fullwidth(expr) }}, '[\s.-]', '', 'g')), '')
{%- endmacro %}

{#- 18-digit PRC resident identity number (GB 11643-1999): 6-digit region code (province 11..82),
    8-digit birth date (a real calendar date, 1900..2099), 3-digit sequence, and the ISO 7064
    MOD 11-2 check character: sum(d_i * w_i) mod 11 over the first 17 digits indexes '10X98765432'. -#}
{% macro cn_resident_id_is_valid(id_expr) -%}
    {%- set weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] -%}
    coalesce(
        case
            when not {{ regex_full_match(id_expr, '[1-8][0-9]{16}[0-9X]') }} then false
            else
                cast(substr({{ id_expr }}, 1, 2) as integer) between 11 and 82
                and cast(substr({{ id_expr }}, 7, 4) as integer) between 1900 and 2099
                and cast(substr({{ id_expr }}, 11, 2) as integer) between 1 and 12
                and cast(substr({{ id_expr }}, 13, 2) as integer) between 1 and
                    case cast(substr({{ id_expr }}, 11, 2) as integer)
                        when 2 then
                            case
                                when mod(cast(substr({{ id_expr }}, 7, 4) as integer), 400) = 0 then 29
                                when mod(cast(substr({{ id_expr }}, 7, 4) as integer), 100) = 0 then 28
                                when mod(cast(substr({{ id_expr }}, 7, 4) as integer), 4) = 0 then 29
                                else 28
                            end
                        when 4 then 30
                        when 6 then 30
                        when 9 then 30
                        when 11 then 30
                        else 31
                    end
                and substr(
                    '10X98765432',
                    mod(
                        {%- for w in weights %}
                        {{ '+ ' if not loop.first }}cast(substr({{ id_expr }}, {{ loop.index }}, 1) as integer) * {{ w }}
                        {%- endfor %},
                        11
                    ) + 1,
                    1
                ) = substr({{ id_expr }}, 18, 1)
        end,
        false
    )
{%- endmacro %}

{#- US SSN: 9 digits, area not 000/666/9xx, group not 00, serial not 0000. -#}
{% macro ssn_is_valid(id_expr) -%}
    coalesce(
        {{ regex_full_match(id_expr, '[0-9]{9}') }}
        and substr({{ id_expr }}, 1, 3) not in ('000', '666')
        and substr({{ id_expr }}, 1, 1) <> '9'
        and substr({{ id_expr }}, 4, 2) <> '00'
        and substr({{ id_expr }}, 6, 4) <> '0000',
        false
    )
{%- endmacro %}

{% macro id_number_is_valid(id_type_expr, id_expr) -%}
    case {{ id_type_expr }}
        when 'CN_RESIDENT_ID' then {{ cn_resident_id_is_valid(id_expr) }}
        when 'SSN' then {{ ssn_is_valid(id_expr) }}
        when 'PASSPORT' then coalesce({{ regex_full_match(id_expr, '[A-Z0-9]{5,20}') }}, false)
        else false
    end
{%- endmacro %}

{#- Digits of a phone number with the country code removed: +86 / 0086 / 86 before a CN mobile
    (11 digits starting 1[3-9]), +1 / 001 before a 10-digit NANP number; other numbers keep all digits. -#}
{% macro normalize_phone(expr) -%}
    {%- set keyed = "trim(" ~ fold_fullwidth(expr) ~ ")" -%}
    {%- set digits = "regexp_replace(" ~ keyed ~ ", '[^0-9]', '', 'g')" -%}
    nullif(
        case
            when {{ regex_full_match(digits, '(0086|86)1[3-9][0-9]{9}') }}
                then right({{ digits }}, 11)
            when ({{ keyed }} like '+1%' or {{ keyed }} like '001%')
                and {{ regex_full_match(digits, '(001|1)[2-9][0-9]{9}') }}
                then right({{ digits }}, 10)
            else {{ digits }}
        end,
        ''
    )
{%- endmacro %}

{% macro cn_mobile_is_valid(normalized_expr) -%}
    coalesce({{ regex_full_match(normalized_expr, '1[3-9][0-9]{9}') }}, false)
{%- endmacro %}
