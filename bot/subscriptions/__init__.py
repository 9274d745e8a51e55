"""Subscriptions: who watches which deadline, and what they are sent. No Telegram.

- store_base.py - the `Store` protocol and its types; database.py - `open_store`;
- store.py, store_postgres.py - its two implementations;
- reminders.py - which reminders are due and what they say;
- change_notices.py - notices when a watched deadline's document is replaced;
- delivery.py - the reminder run: claim, send through a `Sender`, mark sent or release
  (exactly once as far as it can be had);
- watching.py - the answers to /bevaka, /avbevaka, /mina, /glom and the reminder buttons;
- feedback.py - 👍/👎 on answers, stored without anything that says whose.
"""
