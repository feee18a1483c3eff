"""The benchmark's reader as the runner signs in (a session, and a token for the API
scenarios), for tests that count the queries of registered scenarios' requests."""

from django.test import Client

from bench.accounts import READER, issue_tokens
from bench.scenarios import SCENARIOS, build_context
from community.models import User
from tests.helpers import warm_query_count


class ScenarioReader:
    """After `seed_bench` on `scale`: `ctx` (the scenarios' context), `member`, `path(name)`
    of a registered scenario, and `responses(names)`: {name: (queries, response)} of a
    second request to each (as warm_query_count counts it)."""

    def __init__(self, scale="tiny"):
        self.member = User.objects.get(handle=f"bench-{scale}-{READER}")
        self.ctx = build_context(scale, member=READER)
        self.client = Client()
        self.client.force_login(self.member)
        self.token_header = {"HTTP_AUTHORIZATION": f"Bearer {issue_tokens([self.member])[0]}"}
        self.scenarios = {scenario.name: scenario for scenario in SCENARIOS.registered()}

    def path(self, name):
        return self.scenarios[name].path(self.ctx)

    def responses(self, names):
        return {
            name: warm_query_count(
                self.client,
                self.path(name),
                **(self.token_header if self.scenarios[name].auth == "token" else {}),
            )
            for name in names
        }
