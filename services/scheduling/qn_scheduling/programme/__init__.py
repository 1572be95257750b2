"""What residents see without logging in: the weekly programme, iCalendar feeds, the HSDS export."""
