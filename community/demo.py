"""Demo data for a first run (`manage.py seed_demo`), and the hook other apps use to add theirs.

Each app that has demo content gives it a `demo.py` module that registers its seeder:

    # courses/demo.py
    from community.demo import register_seeder

    @register_seeder
    def seed_courses(members):
        ...  # idempotent: add what is missing, change nothing that exists

`seed_demo` imports every installed app's `demo` module (Django's `autodiscover_modules`, as
the admin does with `admin.py`), creates the demo members, then calls the seeders in one
transaction, app by app in INSTALLED_APPS order (community first, then the apps that build on
it) and in registration order within an app. Each seeder receives the demo members by key
("admin", "moderator", "lena", "tomas", "mei", "sam", "noor") and must be safe to run twice.
"""

from allauth.account.models import EmailAddress
from django.apps import apps
from django.db import transaction
from django.utils.module_loading import autodiscover_modules

from community import services, tasks
from community.models import Post, Space, Tier, User
from community.richtext import render_markdown
from community.roles import sync_staff_access
from community.search.spelling import refresh_vocabulary

_seeders = []


def register_seeder(seeder):
    """Adds `seeder(members)` to the demo data; usable as a decorator. Registering the same
    function twice keeps one."""
    if seeder not in _seeders:
        _seeders.append(seeder)
    return seeder


def seeders():
    """The registered seeders of the installed apps, community first, then INSTALLED_APPS
    order; a seeder whose app is not installed (any more) is left out."""
    order = {config.label: i for i, config in enumerate(apps.get_app_configs())}
    installed = []
    for position, seeder in enumerate(_seeders):
        config = apps.get_containing_app_config(seeder.__module__)
        if config is not None:
            installed.append((order[config.label], position, seeder))
    return [seeder for *_, seeder in sorted(installed, key=lambda row: row[:2])]


def seed_demo():
    """Creates the demo members and runs every app's seeders; returns the members by key."""
    autodiscover_modules("demo")
    with transaction.atomic():
        members = seed_members()
        for seeder in seeders():
            seeder(members)
    refresh_vocabulary()  # "Did you mean" knows the demo's words before the nightly task
    return members


# --- community's own demo content ---------------------------------------------------------

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
        sync_staff_access(member)  # staff and the role's group (community/roles.py)
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
        slug="pro",
        defaults={"name": "Pro", "description": "Office hours and deep dives.", "listed": True},
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


@register_seeder
def seed_community(members):
    seed_spaces(members)
    seed_posts(members)
    tasks.rank_popular_posts()  # the Popular tab before the beat process's first run
