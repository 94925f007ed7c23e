"""Peers read from records are the peers the full results give (no database needed)."""

from hypothesis import given
from hypothesis import strategies as st

from integratingcities.results.peers import peer_from_record, peer_of
from integratingcities.results.scores import RECORD_VERSION, build_scheme, read_record

SECTIONS = {"a": 1.0, "b": 2.5, "c": 1.0}
SCHEME = build_scheme(
    framework_id=1,
    items={
        1: ("a1", "a", 1.0),
        2: ("a2", "a", 1.0),
        3: ("b1", "b", 2.0),
        4: ("b2", "b", 1.0),
        5: ("b3", "b", 1.0),
        6: ("c1", "c", 3.0),
    },
    section_weights=SECTIONS,
    levels=[(10, 1, 100.0), (11, 1, 50.0), (12, 1, 0.0), (13, 1, None)],
)

SECTION = st.tuples(
    st.none() | st.floats(0, 100, allow_nan=False), st.integers(0, 3), st.floats(0, 4.5)
)


@given(
    st.dictionaries(st.sampled_from(["a", "b", "c", "gone"]), SECTION),
    st.sets(st.sampled_from(["a1", "b2", "c1"])),
)
def test_a_peer_from_its_record_is_the_peer_of_its_full_result(
    sections: dict[str, tuple[float | None, int, float]], top: set[str]
) -> None:
    record = {
        "version": RECORD_VERSION,
        "sections": {key: list(value) for key, value in sections.items()},
        "top_items": sorted(top),
    }
    scored = read_record(record, SCHEME)
    assert scored is not None
    assert peer_from_record(7, 8, record, SCHEME) == peer_of(7, 8, scored)


def test_a_record_of_another_shape_is_not_read() -> None:
    old = {"sections": {"a": [100.0, 1, 2]}, "top_items": []}
    assert peer_from_record(7, 8, old, SCHEME) is None
    assert read_record(old, SCHEME) is None
    assert peer_from_record(7, 8, None, SCHEME) is None
