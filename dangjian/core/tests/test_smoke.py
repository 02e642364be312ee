from dangjian.orgs.models import Organization


def test_cast_builds(cast):
    assert Organization.objects.get_parent(cast.branch_a) == cast.committee_x
    assert len(cast.members_a) == 5
