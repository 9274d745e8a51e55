"""Subscriptions: who watches which deadline, and what they are sent. No Telegram, and
no command's wording: what the user types and reads about commands is bot/telegram/'s
(watching.py, texts.py).

- store_base.py - the `Store` protocol and its types; database.py - `open_store`;
- store.py, store_postgres.py - its two implementations;
- reminders.py - which reminders are due and what they say;
- change_notices.py - notices when a watched deadline's document is replaced;
- delivery.py - the reminder run: claim, send through a `Sender`, mark sent or release
  (exactly once as far as it can be had);
- feedback.py - 👍/👎 on answers, stored without anything that says whose.
"""
