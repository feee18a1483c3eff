"""The payments REST API (mounted under /api/v1/payments/ by payments.api_urls): thin views
over the same selectors and services as the payments pages. `members` has the pricing,
the member's own billing and the Checkout / Customer Portal sessions; `admin` what the
admins' pages do. Shapes are in `serializers`."""
