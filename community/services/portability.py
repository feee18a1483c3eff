"""The admins' full export of the community (community/portability holds the format)."""

from community import audit
from community.access import check_can_administer
from community.portability import write_export


def export_community(actor, *, file):
    """An admin's export of everything: the audit entry (its target the admin, as the export
    is of no one member), then the zip written to `file`. Returns its manifest."""
    check_can_administer(actor)
    audit.record(actor, audit.COMMUNITY_EXPORTED, actor, "Every app's rows and stored files")
    return write_export(file)
