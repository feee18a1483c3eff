"""Amounts as Stripe counts them (minor units: cents) and as people read and type them."""

from decimal import ROUND_HALF_UP, Decimal

# Stripe's currencies without a minor unit: their amounts are whole units already.
ZERO_DECIMAL = frozenset(
    {
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    }
)
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "inr": "₹", "cad": "CA$", "aud": "A$"}


def _places(currency):
    return 0 if (currency or "").lower() in ZERO_DECIMAL else 2


def minor_units(amount, currency):
    """What an admin typed, in Stripe's unit: 20.00 usd -> 2000; 500 jpy -> 500."""
    if amount is None:
        return None
    scaled = Decimal(amount) * 10 ** _places(currency)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def major_units(amount, currency):
    """Stripe's unit as an admin types it: 2000 usd -> Decimal('20.00'); 500 jpy -> 500."""
    places = _places(currency)
    if not places:
        return Decimal(amount)
    return (Decimal(amount) / 10**places).quantize(Decimal("0.01"))


def format_money(amount, currency):
    """Minor units as people read them: 2000 usd "$20.00", 500 jpy "¥500", 990 sek
    "9.90 SEK", -1500 usd "-$15.00"."""
    currency = (currency or "").lower()
    sign, amount = ("-" if amount < 0 else ""), abs(amount)
    number = f"{amount // 100:,}.{amount % 100:02d}" if _places(currency) else f"{amount:,}"
    if currency in SYMBOLS:
        return f"{sign}{SYMBOLS[currency]}{number}"
    return f"{sign}{number} {currency.upper()}"
