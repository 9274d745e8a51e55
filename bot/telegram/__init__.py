"""The Telegram front end: everything that imports python-telegram-bot lives here.

- app.py - the Application: handlers for commands, buttons, inline queries and free
  text, and the wiring (build_application, run_telegram);
- services.py - what the handlers share (Services, reply, reload_assistant);
- send.py - rendering answers as HTML, splitting, buttons, retries, the rate limiter;
- inline.py - results for inline queries (@bot question in any chat);
- sent_replies.py - which messages answered which question (for edited questions);
- admin_upload.py - an admin's document upload conversation;
- reminder_sender.py - delivering reminders and change notices exactly once.
"""
