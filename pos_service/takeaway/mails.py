"""The e-mails of a takeaway order, in the language the guest ordered in (the public
page's; an order taken by staff: the venue's), dates and money by that language's
locale: the confirmation of an order placed on the public page, and "ready"."""

from __future__ import annotations

from pos_service import i18n
from pos_service.mail import service as mail
from pos_service.mail.words import words
from pos_service.takeaway.models import TakeawayOrder
from pos_service.takeaway.schemas import PublicOrderRead
from pos_service.venues.models import Venue


def ready(order: TakeawayOrder, venue: Venue) -> mail.Message:
    """Your order is ready: its number, to give at the counter."""
    language = words(order.language, venue.locale).language
    number = order.number if order.number is not None else ""
    text = i18n.gettext(language, "Hello {name},", name=order.customer_name) + "\n\n"
    text += i18n.gettext(
        language,
        "your order {number} at {venue} is ready for pickup.",
        number=number,
        venue=venue.name,
    )
    text += "\n" + i18n.gettext(language, "Please give the number at the counter.") + "\n\n"
    return mail.Message(
        to=order.customer_email or "",
        subject=i18n.gettext(language, "Your order {number} is ready", number=number),
        text=text + f"{venue.name}\n",
    )


def placed(order: TakeawayOrder, venue: Venue, read: PublicOrderRead, link: str) -> mail.Message:
    """The order as placed: number, pickup time, lines, total, how it is paid, and the
    link to follow it."""
    said = words(order.language, venue.locale)
    language = said.language
    number = order.number if order.number is not None else ""
    when = said.when(order.pickup_at, venue.timezone)
    text = i18n.gettext(language, "Hello {name},", name=order.customer_name) + "\n\n"
    text += i18n.gettext(
        language,
        "thank you for your order at {venue}. Your order number is {number}; pickup: {when}.",
        venue=venue.name,
        number=number,
        when=when,
    )
    text += "\n\n"
    for line in read.lines:
        options = f" ({', '.join(line.modifiers)})" if line.modifiers else ""
        amount = said.money(line.amount, read.currency)
        text += f"{line.quantity} \u00d7 {line.name}{options}  {amount}\n"
    total = said.money(read.total, read.currency)
    text += "\n" + i18n.gettext(language, "Total: {total}", total=total) + "\n"
    if read.payment == "at_pickup":
        text += i18n.gettext(language, "You pay at pickup.") + "\n"
    text += "\n" + i18n.gettext(language, "Follow your order: {link}", link=link) + "\n\n"
    return mail.Message(
        to=order.customer_email or "",
        subject=i18n.gettext(
            language, "Your order {number} at {venue}", number=number, venue=venue.name
        ),
        text=text + f"{venue.name}\n",
    )
