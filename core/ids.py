"""Typed ids, so a request id can never be passed where a customer id belongs."""

from typing import NewType

CustomerId = NewType("CustomerId", int)
RequestId = NewType("RequestId", int)
TelegramUserId = NewType("TelegramUserId", int)
HelperId = NewType("HelperId", int)
BookingId = NewType("BookingId", int)
Cents = NewType("Cents", int)
