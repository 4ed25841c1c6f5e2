"""The one time zone people see: times are stored in UTC and shown in Berlin's."""

from typing import Final
from zoneinfo import ZoneInfo

BERLIN: Final = ZoneInfo("Europe/Berlin")
