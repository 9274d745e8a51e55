"""The answering engine: a question in, an `Answer` out. No Telegram, no database.

- assistant.py - `Assistant.ask`: understand → retrieve → answer → fit;
- question_text.py, spelling.py - what the user typed, cleaned and spelled right;
- entities.py, intents.py, understanding.py - what the question names and asks;
- ranking.py, snippets.py - which passages and sentences answer it;
- deadlines.py, allocation.py, allocation_answers.py, english.py - the answers
  computed from the structured knowledge (dates, grant money, English wording);
- follow_up.py, conversation.py - a follow-up leaning on the chat's last answer;
- answer.py, dates.py - the answer every front end renders, Swedish dates and money;
- source_text.py, calendar_export.py, chart.py - a citation's text, the .ics, the chart.
"""
