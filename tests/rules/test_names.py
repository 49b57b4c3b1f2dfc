from hypothesis import given
from hypothesis import strategies as st

from bot.rules import names


def test_company_suffixes_punctuation_width_and_case_are_ignored():
    assert names.name_key("上海华东贸易有限公司") == names.name_key("上海华东贸易")
    assert names.name_key("ＡＣＭＥ Trading Co., Ltd.") == names.name_key("acme trading")
    assert names.name_key("Acme, Inc.") == "acme"
    assert names.name_key("上海华东贸易股份有限公司") == "上海华东贸易"


def test_names_match_when_one_key_starts_with_the_other():
    assert names.is_duplicate_key(names.name_key("华东贸易"), names.name_key("华东贸易（上海）有限公司"))
    assert names.is_duplicate_key("acme", "acme")
    assert not names.is_duplicate_key("acme", "acne")
    assert not names.is_duplicate_key("a", "acme"), "a one-character key is too short to match by prefix"


def test_a_name_that_is_only_a_suffix_keeps_its_key():
    assert names.name_key("公司") == "公司"
    assert names.name_key("Inc.") == "inc"


def test_any_part_of_a_chinese_name_is_the_prefix_of_some_term():
    terms = names.search_terms("上海华东贸易有限公司")
    for part in ("华东", "贸易", "上海华", "有限"):
        assert any(term.startswith(part) for term in terms), part


def test_latin_words_are_matched_by_prefix_only():
    terms = names.search_terms("Acme Harbour Trading Ltd")
    assert {"acme", "harbour", "trading", "ltd"} <= terms
    assert not any(term.startswith("rbour") for term in terms)


def test_phone_numbers_match_on_digits_with_the_default_country_code():
    assert names.phone_key("138 1234 5678", "CN") == names.phone_key("+86 138-1234-5678", "CN")
    assert names.phone_key("0086 13812345678", "CN") == "8613812345678"
    assert names.phone_key("12", "CN") is None


@given(st.text(min_size=1, max_size=40))
def test_every_name_finds_itself_by_its_own_first_word(name):
    words = names.query_terms(name)
    terms = names.search_terms(name)
    for word in words:
        assert any(term.startswith(word[: names.TERM_LIMIT]) for term in terms)


@given(st.text(max_size=60))
def test_keys_are_bounded_and_stable(name):
    key = names.name_key(name)
    assert len(key) <= names.KEY_LIMIT
    assert names.name_key(name) == key
