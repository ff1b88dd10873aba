"""Booking requests as staff answer them: the admin (masked, access-logged) and the notices
that tell the patient through the processors, by the channel they chose, with the reminder
the day before (``privacy remind-bookings``). The requests themselves live in consultations;
this sub-package sits above it because the text messages and the processor checks do."""
