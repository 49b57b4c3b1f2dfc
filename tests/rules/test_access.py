from bot.rules.access import Standing, may_see_contact, may_work_on


def standing(actor="U1", *, admin=False, manager=False, owner="U1", owners_manager=None):
    return Standing(actor, admin, manager, owner, owners_manager)


def test_the_owner_their_manager_and_admins_may_work_on_a_customer():
    assert may_work_on(standing())
    assert may_work_on(standing("M1", manager=True, owner="U1", owners_manager="M1"))
    assert may_work_on(standing("A1", admin=True, owner="U1"))


def test_other_reps_and_other_managers_may_not():
    assert not may_work_on(standing("U2", owner="U1"))
    assert not may_work_on(standing("M2", manager=True, owner="U1", owners_manager="M1"))
    assert not may_see_contact(standing("U2", owner="U1"))


def test_pool_customers_are_for_admins_until_claimed():
    assert not may_work_on(standing("U1", owner=None))
    assert not may_work_on(standing("M1", manager=True, owner=None, owners_manager=None))
    assert may_work_on(standing("A1", admin=True, owner=None))
