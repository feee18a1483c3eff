import factory
from allauth.account.models import EmailAddress

from community.models import User

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(member, create, extracted, **kwargs):
        """Members made by the factory have a verified primary address unless verified=False."""
        if create and extracted is not False:
            EmailAddress.objects.create(
                user=member, email=member.email, verified=True, primary=True
            )


class ModeratorFactory(UserFactory):
    role = User.Role.MODERATOR
    is_staff = True


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    is_staff = True
    is_superuser = True
