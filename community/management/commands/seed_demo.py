"""Demo data for a first run. Idempotent: running it again changes nothing that exists.

Later apps add their content by appending a function to SEEDERS (or calling their own
seeder from here); each seeder receives the dict of demo members by key.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from community import services
from community.models import Post, Space, Tier, User
from community.richtext import render_markdown

DEMO_PASSWORD = "agora-demo-2026"  # noqa: S105 - printed for the demo on purpose

MEMBERS = [
    (
        "admin",
        "admin@agora.localhost",
        "Ada Admin",
        User.Role.ADMIN,
        "Europe/Berlin",
        "I look after this community. **Welcome!** Ask me anything.",
    ),
    (
        "moderator",
        "moderator@agora.localhost",
        "Max Moderator",
        User.Role.MODERATOR,
        "America/New_York",
        "Moderator. I keep conversations kind and on topic.",
    ),
    (
        "lena",
        "lena@agora.localhost",
        "Lena Okafor",
        User.Role.MEMBER,
        "Africa/Lagos",
        "Designer learning to code. Currently into `htmx` and typography.",
    ),
    (
        "tomas",
        "tomas@agora.localhost",
        "Tomás Rivera",
        User.Role.MEMBER,
        "America/Mexico_City",
        "Runner, baker, data engineer.\n\n- favourite tool: PostgreSQL\n- bread: sourdough",
    ),
    (
        "mei",
        "mei@agora.localhost",
        "Mei Chen",
        User.Role.MEMBER,
        "Asia/Shanghai",
        "Teaching maths online since 2019.",
    ),
    (
        "sam",
        "sam@agora.localhost",
        "Sam Patel",
        User.Role.MEMBER,
        "Europe/London",
        "Here for the courses. Say hi!",
    ),
    (
        "noor",
        "noor@agora.localhost",
        "Noor Haddad",
        User.Role.MEMBER,
        "Asia/Dubai",
        "Private person, public learner.",
    ),
]
PRIVATE_MEMBERS = {"noor"}
MODERATOR_PERMISSIONS = ["view_user", "change_user", "view_apitoken", "view_auditentry"]


def seed_members():
    members = {}
    for key, email, name, role, tz, bio in MEMBERS:
        member = User.objects.filter(email__iexact=email).first()
        if member is None:
            member = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                display_name=name,
                role=role,
                time_zone=tz,
                bio=bio,
                bio_html=render_markdown(bio),
                is_staff=role != User.Role.MEMBER,
                is_superuser=role == User.Role.ADMIN,
                profile_visibility=(
                    User.Visibility.PRIVATE if key in PRIVATE_MEMBERS else User.Visibility.PUBLIC
                ),
            )
        EmailAddress.objects.get_or_create(
            user=member, email=member.email, defaults={"verified": True, "primary": True}
        )
        members[key] = member
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    moderators.permissions.set(Permission.objects.filter(codename__in=MODERATOR_PERMISSIONS))
    members["moderator"].groups.add(moderators)
    return members


SPACES = [
    ("Announcements", "📣", "public", "admins", "News from the team."),
    ("General", "💬", "members", "all", "Introduce yourself and talk about anything."),
    ("Show & tell", "🎨", "members", "all", "Share what you made this week."),
    ("Pro lounge", "⭐", "paid", "all", "For Pro members: office hours and deep dives."),
    ("Moderators' desk", "🛡️", "members", "moderators", "Notes for and from the moderators."),
]


def seed_spaces(members):
    pro, _ = Tier.objects.get_or_create(
        slug="pro", defaults={"name": "Pro", "description": "Office hours and deep dives."}
    )
    for name, icon, visibility, post_permission, description in SPACES:
        if not Space.objects.filter(name=name).exists():
            services.create_space(
                members["admin"], name=name, icon=icon, visibility=visibility,
                post_permission=post_permission, description=description,
                required_tier=pro if visibility == Space.Visibility.PAID else None,
            )  # fmt: skip
    if not members["lena"].access_grants.filter(tier=pro).exists():
        services.grant_access(members["admin"], member=members["lena"], tier=pro,
                              note="Demo: Lena is a Pro member")  # fmt: skip


POSTS = [
    # (author, space, title, body, comments as (author, body, replies as (author, body)))
    ("admin", "Announcements", "Welcome to the community 👋",
     "We're glad you're here. Start by saying hello in **General** and filling in your "
     "profile.\n\nA few ground rules:\n\n1. Be kind\n2. Share what you learn\n"
     "3. Ask questions, there are no silly ones\n\n#welcome #community",
     [("lena", "Thanks Ada! Happy to be here.", [("admin", "Glad to have you, @lena-okafor!")]),
      ("tomas", "Hello everyone 🙌", [])]),
    ("lena", "General", "",
     "Hi all! I'm Lena, a designer learning to code. This week I built my first page with "
     "#htmx and it felt like magic. Anyone else using it? @tomas-rivera I think you mentioned "
     "it last week.",
     [("tomas", "Yes! It replaced half of our JavaScript.", [("lena", "That's the dream.")]),
      ("mei", "Welcome Lena!", [])]),
    ("tomas", "Show & tell", "A tiny query that saved us 2 seconds per page",
     "We had an N+1 in our feed. The fix was one `select_related`:\n\n```python\n"
     "posts = Post.objects.select_related(\"author\", \"space\").order_by(\"-created_at\")\n"
     "```\n\nMeasure before you optimise. #python #django #performance",
     [("sam", "Classic. Did you add a test for the query count?",
       [("tomas", "Yes, with 5 and 50 posts, same count.")])]),
    ("mei", "Show & tell", "My favourite talk on teaching",
     "This changed how I run my lessons:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n"
     "#teaching", [("lena", "Watching it tonight!", [])]),
    ("lena", "Pro lounge", "Office hours notes",
     "Notes from this week's office hours are up. Bring questions about **design systems** "
     "next time. #designsystems", []),
    ("moderator", "Moderators' desk", "Weekly check-in",
     "Nothing urgent this week. Reports are handled within a day. 👍", []),
    ("sam", "General", "", "Which course should I start with? I have about 3 hours a week.",
     [("mei", "Start with the basics course, then pick a project.", [])]),
]  # fmt: skip
LIKES = [("lena", 0), ("tomas", 0), ("mei", 0), ("sam", 0), ("admin", 1), ("tomas", 1),
         ("mei", 1), ("lena", 2), ("admin", 2), ("sam", 3), ("tomas", 3), ("sam", 6)]  # fmt: skip
FOLLOWS = [("lena", "tomas"), ("lena", "mei"), ("tomas", "lena"), ("sam", "lena"),
           ("mei", "admin"), ("sam", "tomas")]  # fmt: skip


def seed_posts(members):
    if Post.objects.exists():
        return  # demo content is added once, to an empty community
    spaces = {space.name: space for space in Space.objects.alive()}
    posts = []
    for author, space, title, body, comments in POSTS:
        post = services.create_post(members[author], space=spaces[space], title=title, body=body)
        posts.append(post)
        for commenter, text, replies in comments:
            comment = services.create_comment(members[commenter], post=post, body=text)
            for replier, reply in replies:
                services.create_comment(members[replier], post=post, body=reply, parent=comment)
    for liker, index in LIKES:
        services.toggle_like(members[liker], target=posts[index])
    for follower, followed in FOLLOWS:
        services.follow(members[follower], member=members[followed])


# Each app appends its seeder: a function taking the members dict.
SEEDERS = []


class Command(BaseCommand):
    help = "Create demo members (and, from later apps, demo content). Safe to run twice."

    def handle(self, *args, **options):
        with transaction.atomic():
            members = seed_members()
            seed_spaces(members)
            seed_posts(members)
            for seeder in SEEDERS:
                seeder(members)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(members)} members."))
        self.stdout.write(
            f"Sign in as the admin: {members['admin'].email} / {DEMO_PASSWORD}\n"
            f"Other demo members use the same password, e.g. {members['lena'].email}."
        )
