"""Where the visit happens. Remote help (by phone or video) has no address. On site, once a time
is agreed, the customer says where the helper rings (street and number, floor or doorbell, a
note; the request's postcode unless they name another Berlin one). The helper sees it from then
on, in the confirmation and the reminders, with a maps link. It is personal data: exported by
/mydata, erased with the person and by the retention timer."""

from __future__ import annotations

from datetime import datetime

from core.address import VisitAddress, read_address
from core.booking import Actor, Booking, BookingPolicy, BookingState, NotNow, Step, price
from core.geo import PlaceIndex
from core.ids import TelegramUserId
from core.notices import Reply
from core.ports import UnitOfWork
from core.relay import Prompt, PromptKind
from core.services import steps

#: Where the customer can still give or change the address.
ADDRESS_STATES = frozenset({BookingState.SCHEDULED, BookingState.PAID, BookingState.CASH})


def after_agreement_in(
    uow: UnitOfWork, booking: Booking, params: dict[str, str | int], *, policy: BookingPolicy, now: datetime
) -> None:
    """Inside a transaction, the first time a time is agreed: on site, the address is asked next
    (the payment question follows it); remote help has none, so the payment question comes now."""
    request = uow.requests.get(booking.request_id)
    if request is None or not request.remote:
        steps.tell(uow, booking, Actor.HELPER, Reply("booking.scheduled_helper", params), now)
        ask_in(uow, booking, now=now)
        return
    assert booking.minutes is not None
    params = {**params, "hold": policy.hold_for(price(booking.rate, booking.minutes))}
    steps.tell(uow, booking, Actor.HELPER, Reply("booking.scheduled_helper_remote", params), now)
    pay = steps.reply("booking.choose_payment_remote", params, booking, Step.PAY_CARD)  # no visit: no cash
    steps.tell(uow, booking, Actor.CUSTOMER, pay, now)


def ask_in(uow: UnitOfWork, booking: Booking, *, now: datetime) -> None:
    """Inside a transaction: ask the customer for the address (their next text answers)."""
    customer = uow.customers.get(booking.customer_id)
    request = uow.requests.get(booking.request_id)
    assert request is not None
    uow.relay.ask(Prompt(customer.telegram_id, PromptKind.ADDRESS, booking.id), now=now)
    params = {**steps.params(uow, booking), "postcode": request.postcode or ""}
    steps.tell(uow, booking, Actor.CUSTOMER, Reply("booking.ask_address", params, booking_id=booking.id), now)


def ask_address(uow: UnitOfWork, telegram_id: TelegramUserId, booking_id: int, *, now: datetime) -> None:
    """The customer tapped "Address": give it (or a new one)."""
    with uow:
        booking = steps.mine(uow, telegram_id, booking_id, Actor.CUSTOMER)
        if booking.state not in ADDRESS_STATES:
            raise NotNow(state=str(booking.state))
        ask_in(uow, booking, now=now)
        uow.commit()


def give_address(
    uow: UnitOfWork,
    telegram_id: TelegramUserId,
    prompt: Prompt,
    text: str,
    *,
    now: datetime,
    places: PlaceIndex,
    policy: BookingPolicy,
) -> bool:
    """The customer's answer to the address question. False when it is no address: the prompt is
    closed with a hint and a button to try again, and the caller passes the text on as a message."""
    with uow:
        booking = steps.booking(uow, prompt.booking_id)
        request = uow.requests.get(booking.request_id)
        assert request is not None
        address = read_address(text, request.postcode)
        uow.relay.answered(telegram_id)
        if address is None or booking.state not in ADDRESS_STATES:
            hint = steps.reply(
                "booking.address_not_understood", steps.params(uow, booking), booking, Step.ADDRESS
            )
            steps.tell(uow, booking, Actor.CUSTOMER, hint, now)
            uow.commit()
            return False
        places.by_postcode(address.postcode)  # NotInBerlin: the prompt stays, the person is told why
        changed = uow.addresses.of_booking(booking.id) is not None
        uow.addresses.set(booking.id, address, now=now)
        steps.note(uow, booking, "address_changed" if changed else "address_given", Actor.CUSTOMER, now)
        shared = steps.params(uow, booking)
        key = "booking.address_changed_helper" if changed else "booking.address_helper"
        steps.tell(uow, booking, Actor.HELPER, Reply(key, {**shared, **address_params(address)}), now)
        params = {**shared, "address": address.one_line()}
        if booking.state is BookingState.SCHEDULED and booking.payment is None and booking.minutes:
            params["hold"] = policy.hold_for(price(booking.rate, booking.minutes))
            pay = steps.reply("booking.address_saved_pay", params, booking, Step.PAY_CARD, Step.PAY_CASH)
            steps.tell(uow, booking, Actor.CUSTOMER, pay, now)
        else:
            steps.tell(uow, booking, Actor.CUSTOMER, Reply("booking.address_saved", params), now)
        uow.commit()
        return True


def address_params(address: VisitAddress | None) -> dict[str, str | int]:
    """What a helper's message shows of the address (nothing before the customer gave it)."""
    if address is None:
        return {"address": "–", "maps": ""}
    return {"address": address.one_line(), "maps": address.maps_url()}
