"""The Telegram front end: everything that imports python-telegram-bot lives here.

- app.py - the Application wired together (build_application, run_telegram);
- commands.py - the one command table the menu, /hjalp and the handlers come from;
- handlers.py - what commands, buttons, inline queries and free text do;
- watching.py - the answers to /bevaka, /avbevaka, /mina, /glom, /integritet and the
  reminder buttons (over the store; no python-telegram-bot);
- texts.py - how commands are worded where an answer offers them, and in reminders and
  change notices;
- services.py - what the handlers share (Services, reply, reload_assistant);
- send.py - rendering answers as HTML, splitting, buttons, retries, the rate limiter;
- inline.py - results for inline queries (@bot question in any chat);
- sent_replies.py - which messages answered which question (for edited questions);
- admin_upload.py - an admin's document upload conversation;
- reminder_sender.py - reminders and change notices over Telegram (TelegramSender, the
  Sender of bot/subscriptions/delivery.py, whose run delivers them exactly once);
- fair_answers.py - answering off the event loop, fairly between chats.
"""
