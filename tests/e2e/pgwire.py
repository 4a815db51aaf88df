"""A small PostgreSQL v3 wire-protocol client for tests that need exact control
over the bytes: build frontend messages, read backend messages, decode the
common ones. Every socket operation has a timeout, so a silent server makes a
test fail instead of hang.

Message layouts follow the PostgreSQL 15 protocol documentation
("Message Formats"). Integers are big-endian.
"""
import base64
import hashlib
import hmac
import os
import socket
import struct

PROTOCOL_3_0 = 196608          # 3 << 16
SSL_REQUEST_CODE = 80877103
GSSENC_REQUEST_CODE = 80877104
CANCEL_REQUEST_CODE = 80877102
DEFAULT_TIMEOUT = 15.0

# Type OIDs of pg_type in PostgreSQL 15.
OID = {
    "bool": 16, "bytea": 17, "name": 19, "int8": 20, "int2": 21, "int4": 23,
    "text": 25, "oid": 26, "float4": 700, "float8": 701, "unknown": 705,
    "varchar": 1043, "timestamp": 1114, "timestamptz": 1184, "numeric": 1700,
    "void": 2278,
}


class ConnectionClosed(Exception):
    """The server closed the connection (EOF) while a message was expected."""


class ServerError(Exception):
    """An ErrorResponse was received where it was not expected."""

    def __init__(self, fields):
        self.fields = fields
        super().__init__(f"{fields.get('S')} {fields.get('C')}: {fields.get('M')}")


# ---------------------------------------------------------------- encoding

def cstr(s):
    if isinstance(s, str):
        s = s.encode()
    return s + b"\0"


def msg(type_byte, body=b""):
    """A typed frontend message: type byte, Int32 length (self-inclusive), body."""
    return type_byte + struct.pack("!I", len(body) + 4) + body


def startup_message(params, protocol=PROTOCOL_3_0):
    body = struct.pack("!I", protocol)
    for k, v in params.items():
        body += cstr(k) + cstr(v)
    body += b"\0"
    return struct.pack("!I", len(body) + 4) + body


def ssl_request():
    return struct.pack("!II", 8, SSL_REQUEST_CODE)


def gssenc_request():
    return struct.pack("!II", 8, GSSENC_REQUEST_CODE)


def cancel_request(pid, key):
    return struct.pack("!IIII", 16, CANCEL_REQUEST_CODE, pid, key)


def query(sql):
    return msg(b"Q", cstr(sql))


def parse(sql, name="", param_types=()):
    body = cstr(name) + cstr(sql) + struct.pack("!H", len(param_types))
    for t in param_types:
        body += struct.pack("!I", t)
    return msg(b"P", body)


def bind(params=(), portal="", stmt="", param_formats=(), result_formats=()):
    """params: list of bytes/str/None (None = SQL NULL, length -1)."""
    body = cstr(portal) + cstr(stmt)
    body += struct.pack("!H", len(param_formats))
    for f in param_formats:
        body += struct.pack("!H", f)
    body += struct.pack("!H", len(params))
    for p in params:
        if p is None:
            body += struct.pack("!i", -1)
        else:
            if isinstance(p, str):
                p = p.encode()
            body += struct.pack("!i", len(p)) + p
    body += struct.pack("!H", len(result_formats))
    for f in result_formats:
        body += struct.pack("!H", f)
    return msg(b"B", body)


def describe(kind, name=""):
    """kind: 'S' (statement) or 'P' (portal)."""
    return msg(b"D", kind.encode() + cstr(name))


def execute(portal="", max_rows=0):
    return msg(b"E", cstr(portal) + struct.pack("!I", max_rows))


def close(kind, name=""):
    return msg(b"C", kind.encode() + cstr(name))


def sync():
    return msg(b"S")


def flush():
    return msg(b"H")


def terminate():
    return msg(b"X")


def password_message(data):
    if isinstance(data, str):
        data = cstr(data)
    return msg(b"p", data)


# ---------------------------------------------------------------- decoding

def error_fields(body):
    """Decodes ErrorResponse/NoticeResponse bodies into {field_code: value}."""
    fields = {}
    i = 0
    while i < len(body) and body[i] != 0:
        code = chr(body[i])
        end = body.index(b"\0", i + 1)
        fields[code] = body[i + 1:end].decode("utf-8", "replace")
        i = end + 1
    return fields


def row_description(body):
    """Returns a list of dicts: name, table_oid, attnum, type_oid, typlen, typmod, format."""
    (n,) = struct.unpack_from("!H", body, 0)
    off = 2
    cols = []
    for _ in range(n):
        end = body.index(b"\0", off)
        name = body[off:end].decode()
        off = end + 1
        table_oid, attnum, type_oid, typlen, typmod, fmt = struct.unpack_from("!IhIhih", body, off)
        off += 18
        cols.append(dict(name=name, table_oid=table_oid, attnum=attnum, type_oid=type_oid,
                         typlen=typlen, typmod=typmod, format=fmt))
    return cols


def data_row(body):
    """Returns a list of bytes values (None for NULL)."""
    (n,) = struct.unpack_from("!H", body, 0)
    off = 2
    vals = []
    for _ in range(n):
        (ln,) = struct.unpack_from("!i", body, off)
        off += 4
        if ln < 0:
            vals.append(None)
        else:
            vals.append(body[off:off + ln])
            off += ln
    return vals


def parameter_description(body):
    (n,) = struct.unpack_from("!H", body, 0)
    return list(struct.unpack_from("!%dI" % n, body, 2))


def parameter_status(body):
    parts = body.split(b"\0")
    return parts[0].decode(), parts[1].decode()


def negotiate_protocol_version(body):
    newest, n = struct.unpack_from("!II", body, 0)
    names = body[8:].split(b"\0")[:n]
    return newest, [x.decode() for x in names]


# ---------------------------------------------------------------- SCRAM client

def _hi(password, salt, iterations):
    return hashlib.pbkdf2_hmac("sha256", password, salt, iterations)


class ScramClient:
    """SCRAM-SHA-256 (RFC 5802/7677) without channel binding, as libpq does over
    a plain TCP connection (gs2 header "n,,")."""

    def __init__(self, password):
        self.password = password.encode()
        self.nonce = base64.b64encode(os.urandom(18)).decode()
        self.client_first_bare = f"n=,r={self.nonce}"
        self.server_signature = None

    def first(self):
        return ("n,," + self.client_first_bare).encode()

    def final(self, server_first):
        server_first = server_first.decode()
        attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
        if not attrs["r"].startswith(self.nonce):
            raise ValueError("server nonce does not extend the client nonce")
        salt = base64.b64decode(attrs["s"])
        iters = int(attrs["i"])
        salted = _hi(self.password, salt, iters)
        client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = "c=biws,r=" + attrs["r"]
        auth_message = ",".join([self.client_first_bare, server_first, without_proof]).encode()
        client_sig = hmac.new(stored_key, auth_message, hashlib.sha256).digest()
        proof = bytes(a ^ b for a, b in zip(client_key, client_sig))
        server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
        self.server_signature = hmac.new(server_key, auth_message, hashlib.sha256).digest()
        return (without_proof + ",p=" + base64.b64encode(proof).decode()).encode()

    def verify(self, server_final):
        attrs = dict(kv.split("=", 1) for kv in server_final.decode().split(","))
        return base64.b64decode(attrs.get("v", "")) == self.server_signature


# ---------------------------------------------------------------- connection

class Result:
    """What one simple Query (or one Sync) produced, up to ReadyForQuery."""

    def __init__(self, messages):
        self.messages = messages            # [(type_char, body)]
        self.status = None                  # ReadyForQuery status: 'I', 'T' or 'E'
        self.columns = []                   # list of lists of row_description dicts
        self.rows = []                      # all DataRows of all statements, as lists of bytes
        self.tags = []                      # CommandComplete tags
        self.errors = []                    # ErrorResponse field dicts
        self.notices = []
        for t, body in messages:
            if t == "T":
                self.columns.append(row_description(body))
            elif t == "D":
                self.rows.append(data_row(body))
            elif t == "C":
                self.tags.append(body.rstrip(b"\0").decode())
            elif t == "E":
                self.errors.append(error_fields(body))
            elif t == "N":
                self.notices.append(error_fields(body))
            elif t == "Z":
                self.status = body.decode()

    @property
    def types(self):
        return [m[0] for m in self.messages]

    def text_rows(self):
        return [[None if v is None else v.decode() for v in r] for r in self.rows]

    def scalar(self):
        assert not self.errors, self.errors
        assert len(self.rows) == 1 and len(self.rows[0]) == 1, self.messages
        v = self.rows[0][0]
        return None if v is None else v.decode()


class PgConn:
    """One raw connection. Use connect() for a ready-to-query session, or
    PgConn(host, port) + send/recv for byte-level tests."""

    def __init__(self, host, port, timeout=DEFAULT_TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.params = {}
        self.pid = None
        self.key = None
        self.status = None
        self.negotiate = None

    # -- raw I/O
    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionClosed(f"EOF after {len(self.buf)} of {n} bytes")
            self.buf += chunk

    def recv_byte(self):
        self._fill(1)
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def recv_msg(self):
        """Returns (type_char, body)."""
        self._fill(5)
        t = chr(self.buf[0])
        (ln,) = struct.unpack_from("!I", self.buf, 1)
        if ln < 4:
            raise ValueError(f"bad backend message length {ln} for type {t!r}")
        self._fill(1 + ln)
        body = self.buf[5:1 + ln]
        self.buf = self.buf[1 + ln:]
        return t, body

    def recv_until(self, stop_types="Z"):
        """Reads messages up to and including the first whose type is in stop_types."""
        out = []
        while True:
            t, body = self.recv_msg()
            out.append((t, body))
            if t in stop_types:
                return out

    def recv_result(self):
        res = Result(self.recv_until("Z"))
        self.status = res.status
        return res

    def is_closed(self, timeout=5.0):
        """True when the server closes the socket (EOF or reset) within timeout;
        any bytes that arrive first are kept in self.buf."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False

    def messages_until_close(self, timeout=10.0):
        """Reads every complete message until the server closes the connection."""
        closed = self.is_closed(timeout)
        out = []
        while len(self.buf) >= 5:
            (ln,) = struct.unpack_from("!I", self.buf, 1)
            if len(self.buf) < 1 + ln:
                break
            out.append((chr(self.buf[0]), self.buf[5:1 + ln]))
            self.buf = self.buf[1 + ln:]
        return closed, out

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # -- start-up
    def startup(self, user="postgres", database="postgres", password=None, extra=None,
                protocol=PROTOCOL_3_0):
        """Sends StartupMessage, answers authentication, reads until ReadyForQuery.
        Returns the list of messages seen (ErrorResponse raises ServerError)."""
        params = {"user": user}
        if database is not None:
            params["database"] = database
        params.update(extra or {})
        self.send(startup_message(params, protocol))
        seen = []
        scram = None
        while True:
            t, body = self.recv_msg()
            seen.append((t, body))
            if t == "E":
                raise ServerError(error_fields(body))
            if t == "v":
                self.negotiate = negotiate_protocol_version(body)
            elif t == "R":
                (code,) = struct.unpack_from("!I", body, 0)
                if code == 0:
                    pass
                elif code == 3:
                    self.send(password_message(password or ""))
                elif code == 5:
                    salt = body[4:8]
                    inner = hashlib.md5((password or "").encode() + user.encode()).hexdigest()
                    outer = hashlib.md5(inner.encode() + salt).hexdigest()
                    self.send(password_message("md5" + outer))
                elif code == 10:
                    mechs = [m.decode() for m in body[4:].split(b"\0") if m]
                    if "SCRAM-SHA-256" not in mechs:
                        raise ValueError(f"no SCRAM-SHA-256 in {mechs}")
                    scram = ScramClient(password or "")
                    first = scram.first()
                    self.send(msg(b"p", cstr("SCRAM-SHA-256") + struct.pack("!i", len(first)) + first))
                elif code == 11:
                    self.send(msg(b"p", scram.final(body[4:])))
                elif code == 12:
                    if not scram.verify(body[4:]):
                        raise ValueError("server SCRAM signature does not verify")
                else:
                    raise ValueError(f"unsupported authentication request {code}")
            elif t == "S":
                k, v = parameter_status(body)
                self.params[k] = v
            elif t == "K":
                self.pid, self.key = struct.unpack("!II", body)
            elif t == "Z":
                self.status = body.decode()
                return seen

    # -- conveniences
    def query(self, sql):
        self.send(query(sql))
        return self.recv_result()

    def terminate(self):
        try:
            self.send(terminate())
        except OSError:
            pass
        self.close()


def connect(host, port, user="postgres", database="postgres", password=None, extra=None,
            timeout=DEFAULT_TIMEOUT, protocol=PROTOCOL_3_0):
    c = PgConn(host, port, timeout)
    try:
        c.startup(user, database, password, extra, protocol)
    except BaseException:
        c.close()
        raise
    return c


def send_cancel(host, port, pid, key, timeout=DEFAULT_TIMEOUT):
    """Sends a CancelRequest on a fresh socket and waits for the server to close it."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        s.sendall(cancel_request(pid, key))
        try:
            while s.recv(1024):
                pass
        except (ConnectionResetError, socket.timeout):
            pass
    finally:
        s.close()
