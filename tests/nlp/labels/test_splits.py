"""Document-grouped splits: properties over random corpora (document ids with CJK), and the worked example."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from policyscope.nlp.labels.splits import SPLIT_NAMES, DocumentSplit

doc_ids = st.text(alphabet="ab文书정책文書-_0123456789", min_size=1, max_size=8)
corpora = st.dictionaries(doc_ids, st.integers(min_value=1, max_value=600), max_size=60)
ratios = (
    st.tuples(*[st.integers(min_value=0, max_value=10)] * 3)
    .filter(any)
    .map(lambda w: tuple(x / sum(w) for x in w))
)


@given(corpora, ratios, st.integers(min_value=0, max_value=2**32))
def test_every_document_lands_in_one_split_and_zero_shares_stay_empty(sizes, shares, seed):
    split = DocumentSplit(shares, seed)
    got = split.assign(sizes)
    assert set(got) == set(sizes)
    assert set(got.values()) <= {n for n, r in zip(SPLIT_NAMES, shares, strict=True) if r > 0}


@given(corpora, ratios, st.integers(min_value=0, max_value=2**32))
def test_splits_with_a_share_are_filled_in_order_while_documents_last(sizes, shares, seed):
    got = DocumentSplit(shares, seed).assign(sizes)
    wanted = [n for n, r in zip(SPLIT_NAMES, shares, strict=True) if r > 0]
    filled = [n for n in wanted if n in set(got.values())]
    assert filled == wanted[: min(len(wanted), len(sizes))]


@given(corpora, ratios, st.integers(min_value=0, max_value=2**32))
def test_the_assignment_depends_on_ids_sizes_and_seed_not_on_input_order(sizes, shares, seed):
    split = DocumentSplit(shares, seed)
    assert split.assign(dict(reversed(list(sizes.items())))) == split.assign(sizes)


@given(corpora, ratios, st.integers(min_value=0, max_value=2**32))
def test_each_split_is_within_two_documents_of_its_target(sizes, shares, seed):
    got = DocumentSplit(shares, seed).assign(sizes)
    total, largest = sum(sizes.values()), max(sizes.values(), default=0)
    for name, share in zip(SPLIT_NAMES, shares, strict=True):
        passages = sum(n for d, n in sizes.items() if got[d] == name)
        assert abs(passages - share * total) <= 2 * largest


def test_equal_documents_split_close_to_the_ratios():
    sizes = {f"doc-{i:03d}": 10 for i in range(100)}
    got = DocumentSplit((0.7, 0.2, 0.1), seed=5).assign(sizes)
    assert [sum(1 for s in got.values() if s == n) for n in SPLIT_NAMES] == [70, 20, 10]
    other = DocumentSplit((0.7, 0.2, 0.1), seed=6).assign(sizes)
    assert other != got  # the seed picks which documents


def test_the_worked_example_of_the_docstring():
    # Ids chosen so that no seed matters: each document is alone in its size class but 30 and 25 (16..31), and
    # both orders of those two give the same split sizes (see DocumentSplit).
    sizes = {"a": 40, "b": 30, "c": 25, "d": 5}
    for seed in range(6):
        got = DocumentSplit((0.8, 0.1, 0.1), seed).assign(sizes)
        counts = [sum(sizes[d] for d, s in got.items() if s == n) for n in SPLIT_NAMES]
        assert counts in ([70, 25, 5], [70, 5, 25])
        assert got["a"] == "train"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("0.8,0.2", "three numbers (train, validation, test), got 2: 0.8,0.2"),
        ("0.8,0.1,x", "three numbers train,validation,test such as 0.8,0.1,0.1, got '0.8,0.1,x'"),
        ("0.8,0.3,0.1", "non-negative and sum to 1, got 0.8,0.3,0.1 (sum 1.2)"),
        ("1.2,-0.1,-0.1", "non-negative and sum to 1"),
        ("nan,0.5,0.5", "non-negative and sum to 1"),
    ],
)
def test_bad_ratios_are_refused_with_the_value(text, problem):
    with pytest.raises(ValueError, match="split ratios must be") as err:
        DocumentSplit.parse(text)
    assert problem in str(err.value)
