"""The gamification REST API (mounted under /api/v1/ by gamification.api_urls): thin views
over gamification.selectors (scores, ranks, the boards) and services (rules, levels).
`scores` has what every member reads (their score, a member's, the leaderboards); `settings`
the rules and the ladder, which members read and admins write. Shapes are in
`serializers`."""
