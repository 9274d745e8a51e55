"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests.

The real python-telegram-bot Application talks real HTTP to it (ApplicationBuilder().
base_url(...)). Tests act as users by pushing updates, which the bot fetches with
getUpdates (long polling), and read what the bot sent from the recorded calls.
Failures can be injected for the next N calls of a method: 429 with retry_after,
500, 403 "bot was blocked by the user", 400 with a description of our choosing (e.g.
"message to edit not found"), "timeout" (no answer until after the client's
read timeout, so PTB raises TimedOut) and "drop" (the connection is closed without an
answer, so PTB raises NetworkError). A timed-out or dropped request is lost before the
"server" acts on it: nothing is delivered.

It runs http.server in a thread, so it works whatever event loop the test uses.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

BOT_USER = {
    "id": 700000001,
    "is_bot": True,
    "first_name": "Beredskapsboten",
    "username": "BeredskapsTestBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,  # switched on with @BotFather: /setinline
}


@dataclass
class Call:
    """One request the bot made: the method, its parameters (JSON values decoded) and,
    for multipart uploads, the files by field name (filename, bytes)."""

    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 200  # 0: no answer at all (a "timeout" or "drop" fault)
    at: float = field(default_factory=time.monotonic)  # when the request arrived
    result: Any = None  # what the server answered (a sent message, as the bot got it)

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return self.params.get("text", "")


JSON_FIELDS = {
    "reply_markup",
    "reply_parameters",
    "link_preview_options",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "caption_entities",
    "results",
    "button",
}


def _decode(name: str, value: str) -> Any:
    """PTB sends strings as they are and JSON-encodes everything else; decode the objects
    we inspect (numbers stay strings - Call.chat_id converts)."""
    return json.loads(value) if name in JSON_FIELDS else value


NO_ANSWER = ("timeout", "drop")  # faults where the server never answers


@dataclass(frozen=True)
class _Refused:
    """A method's answer that is Telegram's 400 (`why` is its description)."""

    why: str


class _CutOff(Exception):  # noqa: N818
    """A request body shorter than its Content-Length: the sender was killed mid-way."""


class FakeBotApi:
    def __init__(self, token: str = "123456:TEST-token-never-logged", timeout_delay: float = 1.0):
        self.token = token
        self.timeout_delay = timeout_delay  # a "timeout" holds the answer this long
        self.descriptions: dict[str, str] = {}  # what setMyDescription and the short one set
        # setMyCommands per (scope type, chat id, language code); `commands`: the default
        self.command_sets: dict[tuple, list] = {}
        self._stopped = threading.Event()
        self.calls: list[Call] = []
        self._updates: deque[dict] = deque()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._failures: dict[str, deque[tuple[int, dict] | str]] = defaultdict(deque)
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.commands: list[dict] = []
        self.files: dict[str, tuple[str, bytes]] = {}  # file_id -> (file_path, content)
        # getChatMember / getChatAdministrators: chat id -> {user id: "creator" |
        # "administrator"}; everyone else is a "member"
        self.chat_admins: dict[int, dict[int, str]] = {}
        # what the bot's text messages say now: (chat id, message id) -> text and keyboard,
        # changed by editMessageText, which refuses an unknown message or no change (400)
        self.shown: dict[tuple[int, int], dict] = {}
        self.last_message: dict | None = None  # the last message push_text wrote

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stalls

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                api._handle(self)

            do_GET = do_POST  # noqa: N815

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()  # ends held "timeout" answers at once
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    @property
    def root(self) -> str:
        """What TELEGRAM_API_BASE_URL is set to."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return self.root + "/bot"

    # -- acting as users ----------------------------------------------------------------

    def push_update(self, update: dict) -> int:
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._cond.notify_all()
        return update_id

    def push_text(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict | None = None,
        sender_chat: dict | None = None,
    ) -> int:
        """A user writes `text`; a leading /command gets its bot_command entity.
        `sender_chat`: written on behalf of a chat (an anonymous group admin)."""
        message = self.message(chat_id, text, user_id, chat_type)
        self.last_message = message  # a test that edits it needs its id
        if sender_chat:
            message["sender_chat"] = sender_chat
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if reply_to:
            message["reply_to_message"] = reply_to
        return self.push_update({"message": message})

    def push_message(
        self,
        chat_id: int,
        fields: dict,
        user_id: int | None = None,
        chat_type: str = "private",
        edited: bool = False,
    ) -> int:
        """A message of any kind: `fields` replace the text (e.g. {"sticker": {...}}), or
        {"text": ...} as an edit of an earlier message when `edited`."""
        message = self.message(chat_id, "", user_id, chat_type)
        del message["text"]
        message.update(fields)
        if edited:
            message["edit_date"] = message["date"]
            return self.push_update({"edited_message": message})
        return self.push_update({"message": message})

    def push_edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """The user edits their message `message_id` to say `text` (an edited_message
        update with the same message id; a leading /command gets its entity)."""
        message = self.message(chat_id, text, user_id, chat_type)
        message["message_id"] = message_id
        message["edit_date"] = message["date"]
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.push_update({"edited_message": message})

    def push_inline_query(
        self, user_id: int, query: str, language_code: str | None = None, offset: str = ""
    ) -> str:
        """The user types `@bot <query>` in some chat; returns the inline query's id."""
        query_id = str(next(self._update_ids) * 104729)
        user = self.user(user_id)
        if language_code:
            user["language_code"] = language_code
        self.push_update(
            {"inline_query": {"id": query_id, "from": user, "query": query, "offset": offset}}
        )
        return query_id

    async def inline_answer(self, user_id: int, query: str, timeout: float = 20.0, **kw) -> Call:
        """Push an inline query and return the bot's answerInlineQuery for it."""
        query_id = self.push_inline_query(user_id, query, **kw)
        deadline = time.monotonic() + timeout
        while True:
            for call in self.sent("answerInlineQuery"):
                if call.params.get("inline_query_id") == query_id:
                    return call
            if time.monotonic() > deadline:
                raise AssertionError(f"no answerInlineQuery for {query!r}")
            await asyncio.sleep(0.01)

    def push_document(
        self,
        chat_id: int,
        filename: str,
        content: bytes,
        mime_type: str,
        user_id: int | None = None,
    ) -> int:
        """A user sends a file; the bot can fetch it with getFile and a download."""
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = (f"documents/{file_id}_{filename}", content)
        document = {
            "file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": filename,
            "mime_type": mime_type, "file_size": len(content),
        }  # fmt: skip
        return self.push_message(chat_id, {"document": document}, user_id)

    def push_callback(
        self, chat_id: int, data: str, message: dict | None = None, user_id: int | None = None
    ) -> int:
        """A user presses an inline button with callback data `data`."""
        message = message or self.message(chat_id, "…", BOT_USER["id"], from_bot=True)
        return self.push_update(
            {
                "callback_query": {
                    "id": str(next(self._update_ids) * 7919),
                    "from": self.user(user_id or chat_id),
                    "message": message,
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                }
            }
        )

    def user(self, user_id: int) -> dict:
        return {"id": user_id, "is_bot": False, "first_name": f"Användare {user_id}"}

    def message(
        self,
        chat_id: int,
        text: str,
        user_id: int | None = None,
        chat_type: str = "private",
        from_bot: bool = False,
    ) -> dict:
        chat = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = f"Användare {chat_id}"
        else:
            chat["title"] = "Beredskapsgruppen"
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER if from_bot else self.user(user_id or chat_id),
            "text": text,
        }

    # -- failures -------------------------------------------------------------------------

    def fail_next(self, method: str, times: int = 1, kind: str = "429", retry_after: int = 3):
        """Make the next `times` calls of `method` fail: "429", "500", "403", "timeout"
        (the answer is held for `timeout_delay` seconds, longer than the client waits, then
        the connection is closed) or "drop" (the connection is closed at once, unanswered).
        """
        responses = {
            "429": (
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
            ),
            "500": (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}),
            "403": (
                403,
                {
                    "ok": False,
                    "error_code": 403,
                    "description": "Forbidden: bot was blocked by the user",
                },
            ),
        }
        if kind.startswith("400"):  # "400 <description>"
            text = kind.removeprefix("400").strip() or "Bad Request"
            responses[kind] = (400, {"ok": False, "error_code": 400,
                                     "description": f"Bad Request: {text}"})  # fmt: skip
        if kind not in NO_ANSWER and kind not in responses:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._cond:
            for _ in range(times):
                self._failures[method].append(kind if kind in NO_ANSWER else responses[kind])

    # -- reading what the bot did ---------------------------------------------------------

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """Successful calls, optionally of one method and/or to one chat."""
        with self._cond:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if c.status == 200
            and (method is None or c.method == method)
            and (chat_id is None or c.chat_id == chat_id)
        ]

    def attempts(self, method: str) -> list[Call]:
        """Every call of `method`, failed ones included."""
        with self._cond:
            return [c for c in self.calls if c.method == method]

    async def wait_for(
        self, method: str, chat_id: int | None = None, count: int = 1, timeout: float = 20.0
    ) -> list[Call]:
        """Wait until at least `count` successful calls of `method` (to `chat_id`) exist."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.sent(method, chat_id)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {count} {method} call(s) to {chat_id}, got {len(found)}: "
                    f"{[(c.method, c.params.get('text', '')[:60]) for c in self.calls]}"
                )
            await asyncio.sleep(0.01)

    async def reply_to(
        self, chat_id: int, text: str, timeout: float = 20.0, user_id: int | None = None
    ) -> Call:
        """Push `text` from the chat and return the bot's next sendMessage to it."""
        before = len(self.sent("sendMessage", chat_id))
        self.push_text(chat_id, text, user_id)
        found = await self.wait_for("sendMessage", chat_id, before + 1, timeout)
        return found[before]

    # -- the HTTP side ----------------------------------------------------------------------

    _closed = False

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        path = unquote(request.path.split("?")[0])  # PTB percent-encodes file URLs
        if path.startswith(f"/file/bot{self.token}/"):
            self._download(request, path.removeprefix(f"/file/bot{self.token}/"))
            return
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            self._respond(
                request, 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            )
            return
        method = path[len(prefix) :]
        try:
            params, files = self._params(request)
        except _CutOff:  # the client died mid-request: like Telegram, nothing happened
            request.close_connection = True
            return
        with self._cond:
            failure = self._failures[method].popleft() if self._failures[method] else None
            status = 200 if failure is None else 0 if failure in NO_ANSWER else failure[0]
            call = Call(method, params, files, status)
            self.calls.append(call)
        if failure == "timeout":
            self._stopped.wait(self.timeout_delay)  # the client gives up meanwhile
        if failure in NO_ANSWER:
            request.close_connection = True  # closed without a byte of answer
            return
        if failure:
            self._respond(request, *failure)
            return
        if method == "getUpdates":
            result = self._get_updates(params)
        else:
            result = self._result(method, params, files)
        if isinstance(result, _Refused):  # as Telegram does: 400, and nothing changed
            with self._cond:
                call.status = 400
            self._respond(request, 400, {"ok": False, "error_code": 400,
                                         "description": f"Bad Request: {result.why}"})  # fmt: skip
            return
        call.result = result
        self._respond(request, 200, {"ok": True, "result": result})

    @staticmethod
    def _params(request: BaseHTTPRequestHandler) -> tuple[dict, dict]:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if len(body) < length:
            raise _CutOff
        ctype = request.headers.get("Content-Type", "")
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        if ctype.startswith("multipart/form-data"):
            msg = BytesParser(policy=HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + body
            )
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                filename = part.get_filename()
                if filename:
                    files[name] = (filename, payload)
                else:
                    params[name] = _decode(name, payload.decode())
        elif ctype.startswith("application/json"):
            params = json.loads(body or b"{}")
        elif body:
            params = {k: _decode(k, v[0]) for k, v in parse_qs(body.decode()).items()}
        return params, files

    def _get_updates(self, params: dict) -> list[dict]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 1.0)  # keep tests snappy
        end = time.monotonic() + timeout
        with self._cond:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()  # confirmed by the offset
            while not self._updates and not self._closed:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return [u for u in self._updates if u["update_id"] >= offset]

    def _result(self, method: str, params: dict, files: dict) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "setMyCommands":
            scope = params.get("scope") or {"type": "default"}
            key = (scope.get("type"), scope.get("chat_id"), params.get("language_code") or "")
            self.command_sets[key] = params.get("commands", [])
            if key == ("default", None, ""):
                self.commands = self.command_sets[key]
            return True
        if method == "getMyCommands":
            return self.commands
        if method in ("setMyDescription", "setMyShortDescription"):
            key = "description" if method == "setMyDescription" else "short_description"
            self.descriptions[key] = params.get(key, "")
            return True
        if method in ("sendMessage", "sendDocument", "sendPhoto"):
            chat_id = int(params["chat_id"])
            message = self.message(chat_id, params.get("text", ""), from_bot=True)
            if "reply_markup" in params:
                message["reply_markup"] = params["reply_markup"]
            if method == "sendMessage":
                self.shown[(chat_id, message["message_id"])] = {
                    "text": message["text"], "reply_markup": params.get("reply_markup")
                }  # fmt: skip
            if method != "sendMessage":
                message.pop("text")
                message["caption"] = params.get("caption", "")
                field_name = "document" if method == "sendDocument" else "photo"
                filename, data = files.get(field_name, ("file", b""))
                if method == "sendDocument":
                    message["document"] = {
                        "file_id": f"doc{message['message_id']}",
                        "file_unique_id": f"u{message['message_id']}",
                        "file_name": filename,
                        "file_size": len(data),
                    }
                else:
                    message["photo"] = [
                        {
                            "file_id": f"ph{message['message_id']}",
                            "file_unique_id": f"u{message['message_id']}",
                            "width": 800,
                            "height": 600,
                        }
                    ]
            return message
        if method == "getFile":
            file_path, content = self.files[params["file_id"]]
            return {
                "file_id": params["file_id"], "file_unique_id": f"u{params['file_id']}",
                "file_size": len(content), "file_path": file_path,
            }  # fmt: skip
        if method == "editMessageReplyMarkup":
            key = (int(params.get("chat_id") or 0), int(params.get("message_id") or 0))
            if key in self.shown:
                self.shown[key]["reply_markup"] = params.get("reply_markup")
            return True
        if method == "editMessageText":
            return self._edit_text(params)
        if method == "getChatMember":
            admins = self.chat_admins.get(int(params["chat_id"]), {})
            user_id = int(params["user_id"])
            return self._member(user_id, admins.get(user_id, "member"))
        if method == "getChatAdministrators":
            admins = self.chat_admins.get(int(params["chat_id"]), {})
            return [self._member(u, status) for u, status in sorted(admins.items())]
        # answerCallbackQuery, deleteWebhook, setWebhook, close, ...
        return True

    def _edit_text(self, params: dict) -> dict | _Refused:
        """editMessageText of one of the bot's text messages: the message as it is now,
        or what Telegram says when the message is unknown or nothing would change."""
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        shown = self.shown.get((chat_id, message_id))
        if shown is None:
            return _Refused("message to edit not found")
        after = {"text": params.get("text", ""), "reply_markup": params.get("reply_markup")}
        if after == shown:
            return _Refused(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        self.shown[(chat_id, message_id)] = after
        message = self.message(chat_id, after["text"], from_bot=True)
        message |= {"message_id": message_id, "edit_date": message["date"]}
        if after["reply_markup"]:
            message["reply_markup"] = after["reply_markup"]
        return message

    def _member(self, user_id: int, status: str) -> dict:
        """A ChatMember as Telegram sends it (an administrator's rights all granted)."""
        member = {"status": status, "user": self.user(user_id), "is_anonymous": False}
        if status == "administrator":
            rights = ("can_be_edited can_manage_chat can_delete_messages can_manage_video_chats "
                      "can_restrict_members can_promote_members can_change_info can_invite_users "
                      "can_post_stories can_edit_stories can_delete_stories")  # fmt: skip
            member |= dict.fromkeys(rights.split(), True)
        return member

    def _download(self, request: BaseHTTPRequestHandler, file_path: str) -> None:
        content = next((c for p, c in self.files.values() if p == file_path), None)
        with self._cond:
            self.calls.append(Call("download", {"file_path": file_path}))
        request.send_response(200 if content is not None else 404)
        request.send_header("Content-Length", str(len(content or b"")))
        request.end_headers()
        request.wfile.write(content or b"")

    @staticmethod
    def _respond(request: BaseHTTPRequestHandler, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the bot gave up on a long poll while stopping
