"""Keeping relationships alive: reminders before meetings and request deadlines,
nudges to quiet pairs and to mentors who have not answered, and the program
admins' list of pairs at risk. Everything is sent through
``notifications.services.notify``, so every job may run any number of times."""
