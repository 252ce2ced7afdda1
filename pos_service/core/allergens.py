"""The 14 allergens EU law requires a menu to declare (Regulation (EU) No 1169/2011,
Annex II), as the codes the API, the database and the pages use.

Items declare which they contain; bookings, guest profiles, checks and lines carry which a
guest must avoid, plus free text for anything else ("no coriander").
"""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec

from pos_service.i18n import N_


class Allergen(enum.StrEnum):
    GLUTEN = "gluten"
    """Cereals containing gluten (wheat, rye, barley, oats, spelt, kamut)."""
    CRUSTACEANS = "crustaceans"
    EGGS = "eggs"
    FISH = "fish"
    PEANUTS = "peanuts"
    SOYBEANS = "soybeans"
    MILK = "milk"
    NUTS = "nuts"
    """Tree nuts: almonds, hazelnuts, walnuts, cashews, pecans, Brazil, pistachio, macadamia."""
    CELERY = "celery"
    MUSTARD = "mustard"
    SESAME = "sesame"
    SULPHITES = "sulphites"
    """Sulphur dioxide and sulphites above 10 mg/kg or 10 mg/l."""
    LUPIN = "lupin"
    MOLLUSCS = "molluscs"


ALLERGENS: tuple[str, ...] = tuple(a.value for a in Allergen)
"""The codes in the regulation's order, for pages and validation."""

NAMES: dict[str, str] = {
    "gluten": N_("gluten"),
    "crustaceans": N_("crustaceans"),
    "eggs": N_("eggs"),
    "fish": N_("fish"),
    "peanuts": N_("peanuts"),
    "soybeans": N_("soybeans"),
    "milk": N_("milk"),
    "nuts": N_("nuts"),
    "celery": N_("celery"),
    "mustard": N_("mustard"),
    "sesame": N_("sesame"),
    "sulphites": N_("sulphites"),
    "lupin": N_("lupin"),
    "molluscs": N_("molluscs"),
}
"""Each code's English name (the code itself), marked for the catalogs."""

AllergenNote = Annotated[str, msgspec.Meta(max_length=200)]
"""Free text beside the codes, for what the list does not name."""
