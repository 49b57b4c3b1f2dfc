"""The champions' ranking: ties share their rank, the shown ranks only, nobody with nothing."""

from bot.rules.champions import Place, top


def test_ties_share_their_rank_and_everyone_tied_at_a_shown_rank_is_shown():
    figures = {"mei": 21, "li": 21, "wang": 14, "max": 9, "ada": 0}
    assert top(figures, 3) == [Place(1, "li", 21), Place(1, "mei", 21), Place(3, "wang", 14)]
    assert top(figures, 1) == [Place(1, "li", 21), Place(1, "mei", 21)]
    assert top({"a": 5, "b": 4, "c": 4, "d": 4}, 2) == [
        Place(1, "a", 5),
        Place(2, "b", 4),
        Place(2, "c", 4),
        Place(2, "d", 4),
    ]


def test_nobody_with_nothing_is_a_champion():
    assert top({"mei": 0, "li": 0}, 3) == []
    assert top({}, 3) == []
