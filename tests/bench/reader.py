"""The benchmark's members as the runner signs them in (a session, and a token for the API
scenarios), for tests that count the queries of registered scenarios' requests: the reader,
and the admin or a moderator for the scenarios that sign in as them (Scenario.member)."""

from django.test import Client

from bench.accounts import READER, SIGNED_IN, issue_tokens
from bench.scenarios import SCENARIOS, build_context
from community.models import User
from tests.helpers import warm_query_count


class ScenarioReader:
    """After `seed_bench` on `scale`: `ctx` (the scenarios' context), `member` (the reader),
    `path(name)` of a registered scenario, and `responses(names)`: {name: (queries,
    response)} of a second request to each (as warm_query_count counts it), each signed in
    as its scenario's member."""

    def __init__(self, scale="tiny"):
        self.scale = scale
        self.member = User.objects.get(handle=f"bench-{scale}-{READER}")
        self.ctx = build_context(scale, member=READER)
        self.scenarios = {scenario.name: scenario for scenario in SCENARIOS.registered()}
        self._signed_in = {}

    def signed_in(self, who):
        """(client, Bearer header) of "reader", "admin" or "moderator", made once."""
        if who not in self._signed_in:
            member = User.objects.get(handle=f"bench-{self.scale}-{SIGNED_IN[who]}")
            client = Client()
            client.force_login(member)
            token = {"HTTP_AUTHORIZATION": f"Bearer {issue_tokens([member])[0]}"}
            self._signed_in[who] = (client, token)
        return self._signed_in[who]

    @property
    def client(self):
        return self.signed_in("reader")[0]

    @property
    def token_header(self):
        return self.signed_in("reader")[1]

    def path(self, name):
        return self.scenarios[name].path(self.ctx)

    def responses(self, names):
        out = {}
        for name in names:
            scenario = self.scenarios[name]
            client, token = self.signed_in(scenario.member)
            extra = token if scenario.auth == "token" else {}
            out[name] = warm_query_count(client, self.path(name), **extra)
        return out
