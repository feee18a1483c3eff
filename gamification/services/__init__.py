"""Every write gamification makes: rules.py and levels.py (admins edit what actions are
worth and the ladder), awards.py (the ledger made to agree with its sources) and scores.py
(a member's score, level and period points recomputed from the ledger)."""
