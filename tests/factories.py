"""factory_boy factories. Countries are not made up: they are the loaded Member States."""

from datetime import timedelta

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import REVIEWERS_GROUP, User
from questionnaire.models import Submission

TEST_PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.django.Password(TEST_PASSWORD)


class OfficialFactory(UserFactory):
    email = factory.Sequence(lambda n: f"official{n}@gov.example.org")
    role = User.Role.FOCAL_POINT


class ReviewerFactory(UserFactory):
    email = factory.Sequence(lambda n: f"reviewer{n}@un.example.org")
    is_staff = True

    @factory.post_generation
    def reviewers_group(self, create, extracted, **kwargs):
        if create:
            group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
            self.groups.add(group)


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    status = Submission.Status.DRAFT


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation; its token is not known (only the hash is stored)."""

    class Meta:
        model = "accounts.Invitation"

    email = factory.Sequence(lambda n: f"invitee{n}@gov.example.org")
    role = User.Role.CONTRIBUTOR
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
