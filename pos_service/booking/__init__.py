"""The public booking page of a venue: live availability from the planner, a booking
with the guest's contact and allergies, and the guest's signed link to change or cancel
it (docs/reservations.md, "Booking online")."""
