{#- NFKC-like folding of full-width forms to ASCII: U+FF01..U+FF5E -> U+0021..U+007E and the
    ideographic space U+3000 -> space. translate() is the same function on DuckDB and PostgreSQL. -#}
{% macro fold_fullwidth(expr) -%}
    translate(
        {{ expr }},
        '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　',
        '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ '
    )
{%- endmacro %}

{#- Trim, fold full-width characters and collapse runs of whitespace to one space; '' becomes null. -#}
{% macro clean_text(expr) -%}
    nullif(trim(regexp_replace({{ fold_fullwidth(expr) }}, '\s+', ' ', 'g')), '')
{%- endmacro %}
