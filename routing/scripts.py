"""The Lua scripts that change routing state in Redis, each one atomic.

Every script starts with the same prelude of helpers, so each decision (offer a call, widen a
tier, end a wrap-up) runs in one script: a consultant never holds two calls and a call never
reaches two consultants, however many web and router processes run at once. The scripts name
their keys themselves (all under ``routing:``), which a single Redis server allows; Redis
Cluster would need them hash-tagged into one slot.

Waiting calls sit in sorted sets scored by ``queued_at`` minus a large boost for vulnerable
callers and callbacks, so the lowest score is always the best call:

- ``q:advisor:<id>``: the advisor's own customers (tier 1, and later too while the queue's
  policy keeps own customers first);
- ``q:asked:<id>``: callbacks customers asked of their advisor (tier 1 only), taken when the
  advisor has no other call waiting for them;
- ``q:office:<code>``: calls in tier 2 or wider from that office;
- ``q:lang:<code>``: calls in tier 3 or wider in that language;
- ``q:all``: calls in tier 4;
- ``waiting``: every waiting call, for positions.

A pool widens by adding the call to more sets with the same score, so it keeps its place.
Free consultants sit in ``avail``, ``avail:office:<code>`` and ``avail:lang:<code>``, scored by
when they became free. Pairing a free consultant with the best call reads the head of at most
a handful of sets: O(log n) however long the queue.

A change that makes a pairing possible leaves the router a token: ``dirty:consultants`` when
a freed consultant has a call waiting for them, ``dirty:calls`` when a call that became
routable (joined, widened, returned) has a consultant free for it. With no pairing possible
no token is left: the next change that makes one possible leaves its own. The tick script
pops tokens and pairs in the same script, so a router that dies never loses one. Timers are
sorted sets scored by when they are due: the tick runs tier ends, wrap-up ends and callback
retries; the router takes back offers that rang too long (``offers``).

Keys, all under ``routing:``: ``entry:<call sid>`` and ``consultant:<id>`` hashes;
``consultants``, ``staffed``, ``staffed:office:<code>``, ``staffed:lang:<code>`` sets;
``tier_due``, ``wrapup_due``, ``callbacks_due``, ``offers`` timers; ``callbacks`` (pending
callback sids); ``rejoin:<number>`` (an abandoned caller's place, expiring); ``stats``;
``events`` (a stream, also PUBLISHed) and ``wake`` (a list the router blocks on).
"""

from __future__ import annotations

PRELUDE = r"""
local P = 'routing:'
local BOOST = 1e10
local ENTRY_TTL = 86400
local STAFFED = {['available']=true, ['ringing']=true, ['on-call']=true, ['wrap-up']=true}
-- Until calls have been measured: the handling time the wait estimate also assumes, and a
-- wrap-up of half the timed maximum.
local DEFAULT_HANDLE, DEFAULT_WRAP = 240, 30

local function ekey(sid) return P .. 'entry:' .. sid end
local function ckey(id) return P .. 'consultant:' .. id end
local function str(value) if value then return value end return '' end
-- tostring keeps 14 digits; timers compared with ZRANGEBYSCORE need every digit back.
local function num(value) return string.format('%.17g', value) end

-- Blend a new measurement into a smoothed statistic (the first one is taken as it is).
local function smooth(name, value, weight)
  local previous = tonumber(redis.call('HGET', P .. 'stats', name) or '') or value
  redis.call('HSET', P .. 'stats', name, num((1 - weight) * previous + weight * value))
end

local function emit(now, kind, fields)
  fields['kind'] = kind
  fields['at'] = tonumber(now)
  local payload = cjson.encode(fields)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', '10000', '*', 'event', payload)
  redis.call('PUBLISH', P .. 'events', payload)
end

local function wake()
  redis.call('LPUSH', P .. 'wake', '1')
  redis.call('LTRIM', P .. 'wake', 0, 0)
end

local function split(text)
  local out = {}
  for item in string.gmatch(text or '', '[^,]+') do out[#out + 1] = item end
  return out
end

local ENTRY_FIELDS = {'state', 'advisor_id', 'office', 'language', 'tier', 'tier_until',
  'score', 'own_first', 'predict', 't1', 't2', 't3', 'routable', 'requeue', 'callback', 'queued_at',
  'joined_at', 'consultant_id', 'queue_sid', 'caller_number', 'answered_at', 'pinned'}

local function load_entry(sid)
  local values = redis.call('HMGET', ekey(sid), unpack(ENTRY_FIELDS))
  local e = {}
  for i, name in ipairs(ENTRY_FIELDS) do e[name] = str(values[i]) end
  return e
end

local function entry_score(queued_at, priority, callback)
  local score = tonumber(queued_at) or 0
  if (tonumber(priority) or 0) > 0 or callback == '1' then score = score - BOOST end
  return score
end

-- The sets a waiting call belongs to in its current tier.
local function entry_pools(e)
  local pools = {}
  local tier = tonumber(e.tier) or 4
  if tier == 1 and e.pinned == '1' then
    return {P .. 'q:asked:' .. e.advisor_id}
  end
  if e.advisor_id ~= '' and (e.own_first == '1' or tier == 1) then
    pools[#pools + 1] = P .. 'q:advisor:' .. e.advisor_id
  end
  if tier >= 2 and e.office ~= '' then pools[#pools + 1] = P .. 'q:office:' .. e.office end
  if tier >= 3 then pools[#pools + 1] = P .. 'q:lang:' .. e.language end
  if tier >= 4 then pools[#pools + 1] = P .. 'q:all' end
  return pools
end

local function remove_from_pools(sid, e)
  if e.advisor_id ~= '' then
    redis.call('ZREM', P .. 'q:advisor:' .. e.advisor_id, sid)
    redis.call('ZREM', P .. 'q:asked:' .. e.advisor_id, sid)
  end
  if e.office ~= '' then redis.call('ZREM', P .. 'q:office:' .. e.office, sid) end
  redis.call('ZREM', P .. 'q:lang:' .. e.language, sid)
  redis.call('ZREM', P .. 'q:all', sid)
  redis.call('ZREM', P .. 'waiting', sid)
  redis.call('ZREM', P .. 'dirty:calls', sid)
  redis.call('ZREM', P .. 'tier_due', sid)
end

local function logged_in(consultant_id)
  local state = redis.call('HGET', ckey(consultant_id), 'state')
  return state and STAFFED[state] or false
end

-- Whether an advisor can be expected free within t1 seconds of at: free now, in a wrap-up
-- that ends by then, or on (or ringing with) a call that by then reaches the usual handling
-- time plus the usual wrap-up. Waiting for anyone else only keeps the caller from a free
-- colleague.
local function advisor_due(advisor_id, t1, at)
  local values = redis.call('HMGET', ckey(advisor_id), 'state', 'since')
  local state, since = values[1], tonumber(values[2]) or at
  if state == 'available' then return true end
  if state == 'wrap-up' then
    local ends = tonumber(redis.call('ZSCORE', P .. 'wrapup_due', advisor_id) or '') or at
    return ends <= at + t1
  end
  if state == 'on-call' or state == 'ringing' then
    local stats = redis.call('HMGET', P .. 'stats', 'handle_ewma', 'wrap_ewma')
    local usual = (tonumber(stats[1] or '') or DEFAULT_HANDLE)
      + (tonumber(stats[2] or '') or DEFAULT_WRAP)
    return since + usual <= at + t1
  end
  return false
end

-- Logged in, on a break or not ready: not gone for the day.
local function at_work(consultant_id)
  local state = redis.call('HGET', ckey(consultant_id), 'state')
  return state ~= false and state ~= 'offline'
end

local function tier_open(e, tier, at)
  if tier == 1 then
    if e.advisor_id == '' or (tonumber(e.t1) or 0) <= 0 then return false end
    -- A callback the customer asked their own advisor for waits for them over a break too.
    if e.pinned == '1' then return at_work(e.advisor_id) end
    return logged_in(e.advisor_id)
      and (e.predict ~= '1' or advisor_due(e.advisor_id, tonumber(e.t1), at))
  elseif tier == 2 then
    return e.office ~= '' and (tonumber(e.t2) or 0) > 0
      and redis.call('SCARD', P .. 'staffed:office:' .. e.office) > 0
  elseif tier == 3 then
    return (tonumber(e.t3) or 0) > 0
      and redis.call('SCARD', P .. 'staffed:lang:' .. e.language) > 0
  end
  return true
end

-- Enter the first open tier at or after from_tier; its clock starts at start.
local function settle_tier(sid, e, from_tier, start)
  local tier = from_tier
  while tier < 4 and not tier_open(e, tier, start) do tier = tier + 1 end
  e.tier = num(tier)
  if tier < 4 then
    e.tier_until = num(start + tonumber(e['t' .. tier]))
  else
    e.tier_until = ''
  end
  redis.call('HSET', ekey(sid), 'tier', e.tier, 'tier_until', e.tier_until)
end

-- Move past every tier whose time is over (the clock of each starts where the last ended).
local function advance_tiers(sid, e, now)
  if e.tier == '' then
    settle_tier(sid, e, 1, tonumber(e.joined_at) or now)
  elseif e.tier == '1' and e.pinned == '1' and not at_work(e.advisor_id) then
    settle_tier(sid, e, 2, now)  -- a retry that fell due after the advisor left
  end
  while tonumber(e.tier) < 4 and tonumber(e.tier_until) <= now do
    settle_tier(sid, e, tonumber(e.tier) + 1, tonumber(e.tier_until))
  end
end

local function profile(consultant_id)
  local values = redis.call('HMGET', ckey(consultant_id),
    'office', 'languages', 'state', 'call_sid')
  return str(values[1]), split(values[2]), str(values[3]), str(values[4])
end

-- The best waiting call for a free consultant: their own customers first, then the other
-- calls they may take, and only then the callbacks their customers asked of them: those are
-- worked between calls, so nobody on the line waits for them.
local function best_call_for(consultant_id)
  local own = redis.call('ZRANGE', P .. 'q:advisor:' .. consultant_id, 0, 0)
  if own[1] then return own[1] end
  local office, languages = profile(consultant_id)
  local pools = {P .. 'q:all'}
  if office ~= '' then pools[#pools + 1] = P .. 'q:office:' .. office end
  for _, language in ipairs(languages) do pools[#pools + 1] = P .. 'q:lang:' .. language end
  local best, best_score = nil, nil
  for _, pool in ipairs(pools) do
    local head = redis.call('ZRANGE', pool, 0, 0, 'WITHSCORES')
    if head[1] and (best == nil or tonumber(head[2]) < best_score) then
      best, best_score = head[1], tonumber(head[2])
    end
  end
  if best then return best end
  return redis.call('ZRANGE', P .. 'q:asked:' .. consultant_id, 0, 0)[1]
end

-- The longest-free consultant allowed to take a call in its tier; its advisor first.
local function best_consultant_for(e)
  local tier = tonumber(e.tier) or 4
  if e.advisor_id ~= '' and (e.own_first == '1' or tier == 1)
      and redis.call('ZSCORE', P .. 'avail', e.advisor_id) then
    return e.advisor_id
  end
  local sets = {}
  if tier >= 2 and e.office ~= '' then sets[#sets + 1] = P .. 'avail:office:' .. e.office end
  if tier >= 3 then sets[#sets + 1] = P .. 'avail:lang:' .. e.language end
  if tier >= 4 then sets[#sets + 1] = P .. 'avail' end
  local best, best_since = nil, nil
  for _, set in ipairs(sets) do
    local head = redis.call('ZRANGE', set, 0, 0, 'WITHSCORES')
    if head[1] and (best == nil or tonumber(head[2]) < best_since) then
      best, best_since = head[1], tonumber(head[2])
    end
  end
  return best
end

-- Put a waiting call in the sets of its tier. If a consultant is free for it, leave the
-- router a token and return true; if not, no pairing exists until someone is freed (whose
-- own token finds this call) or the call widens (a new token).
local function make_routable(sid, e, now)
  advance_tiers(sid, e, now)
  local score = tonumber(e.score)
  for _, pool in ipairs(entry_pools(e)) do redis.call('ZADD', pool, score, sid) end
  redis.call('ZADD', P .. 'waiting', score, sid)
  if tonumber(e.tier) < 4 then
    redis.call('ZADD', P .. 'tier_due', e.tier_until, sid)
  else
    redis.call('ZREM', P .. 'tier_due', sid)
  end
  redis.call('HSET', ekey(sid), 'routable', '1', 'requeue', '0')
  e.routable = '1'
  wake()
  if best_consultant_for(e) then
    redis.call('ZADD', P .. 'dirty:calls', score, sid)
    return true
  end
  return false
end

local function unindex_available(consultant_id, office, languages)
  redis.call('ZREM', P .. 'avail', consultant_id)
  if office ~= '' then redis.call('ZREM', P .. 'avail:office:' .. office, consultant_id) end
  for _, language in ipairs(languages) do
    redis.call('ZREM', P .. 'avail:lang:' .. language, consultant_id)
  end
  redis.call('ZREM', P .. 'dirty:consultants', consultant_id)
end

local function index_available(consultant_id, office, languages, since)
  redis.call('ZADD', P .. 'avail', since, consultant_id)
  if office ~= '' then redis.call('ZADD', P .. 'avail:office:' .. office, since, consultant_id) end
  for _, language in ipairs(languages) do
    redis.call('ZADD', P .. 'avail:lang:' .. language, since, consultant_id)
  end
  if best_call_for(consultant_id) then
    redis.call('ZADD', P .. 'dirty:consultants', since, consultant_id)
    wake()
  end
end

-- Calls of a pool still in the given tier move on at the next tick.
local function hasten(pool, tier, now)
  for _, sid in ipairs(redis.call('ZRANGE', pool, 0, -1)) do
    if redis.call('HGET', ekey(sid), 'tier') == tier then
      redis.call('ZADD', P .. 'tier_due', now, sid)
    end
  end
end

local function set_staffed(consultant_id, office, languages, on, now)
  if on then
    redis.call('SADD', P .. 'staffed', consultant_id)
    if office ~= '' then redis.call('SADD', P .. 'staffed:office:' .. office, consultant_id) end
    for _, language in ipairs(languages) do
      redis.call('SADD', P .. 'staffed:lang:' .. language, consultant_id)
    end
    return
  end
  redis.call('SREM', P .. 'staffed', consultant_id)
  -- Nobody waits for someone who is not there: own customers skip tier 1 at once, and a
  -- team or language with nobody left stops holding its calls. (Callbacks asked of the
  -- advisor wait until they log off: see change_state.)
  hasten(P .. 'q:advisor:' .. consultant_id, '1', now)
  if office ~= '' then
    redis.call('SREM', P .. 'staffed:office:' .. office, consultant_id)
    if redis.call('SCARD', P .. 'staffed:office:' .. office) == 0 then
      hasten(P .. 'q:office:' .. office, '2', now)
    end
  end
  for _, language in ipairs(languages) do
    redis.call('SREM', P .. 'staffed:lang:' .. language, consultant_id)
    if redis.call('SCARD', P .. 'staffed:lang:' .. language) == 0 then
      hasten(P .. 'q:lang:' .. language, '3', now)
    end
  end
  wake()
end

-- call_sid: nil keeps the consultant's call, '' clears it.
local function change_state(consultant_id, state, now, reason, call_sid, wrap_seconds)
  local office, languages, old = profile(consultant_id)
  if old == 'wrap-up' and state ~= 'wrap-up' then
    local since = tonumber(redis.call('HGET', ckey(consultant_id), 'since') or '') or now
    smooth('wrap_ewma', now - since, 0.2)
  end
  local fields = {'state', state, 'since', num(now), 'reason', reason}
  if call_sid then
    fields[#fields + 1] = 'call_sid'
    fields[#fields + 1] = call_sid
  elseif state == 'available' or state == 'offline' then
    fields[#fields + 1] = 'call_sid'
    fields[#fields + 1] = ''
  end
  redis.call('HSET', ckey(consultant_id), unpack(fields))
  if old == '' then redis.call('SADD', P .. 'consultants', consultant_id) end
  if state == 'available' then
    if old ~= 'available' then index_available(consultant_id, office, languages, now) end
  else
    unindex_available(consultant_id, office, languages)
  end
  if STAFFED[state] and not STAFFED[old] then
    set_staffed(consultant_id, office, languages, true, now)
  elseif STAFFED[old] and not STAFFED[state] then
    set_staffed(consultant_id, office, languages, false, now)
  end
  if state == 'offline' and old ~= 'offline' and old ~= '' then
    -- gone for the day, from work, a break or not ready: their team makes the callbacks
    -- their customers asked of them
    hasten(P .. 'q:asked:' .. consultant_id, '1', now)
  end
  if state == 'wrap-up' then
    redis.call('ZADD', P .. 'wrapup_due', now + (tonumber(wrap_seconds) or 60), consultant_id)
  elseif old == 'wrap-up' then
    redis.call('ZREM', P .. 'wrapup_due', consultant_id)
  end
  emit(now, 'consultant.state',
    {consultant_id = tonumber(consultant_id), state = state, reason = reason})
end

local function offer(sid, e, consultant_id, now, ring_seconds, lease_seconds)
  remove_from_pools(sid, e)
  local office, languages = profile(consultant_id)
  unindex_available(consultant_id, office, languages)
  redis.call('HSET', ekey(sid), 'state', 'offered', 'consultant_id', consultant_id,
    'offered_at', num(now), 'offered_tier', e.tier, 'routable', '0',
    'delivered_at', '', 'lease', num(now + lease_seconds))
  redis.call('HSET', ckey(consultant_id), 'state', 'ringing', 'call_sid', sid,
    'since', num(now), 'reason', '')
  redis.call('ZADD', P .. 'offers', now + ring_seconds, sid)
  emit(now, 'call.offered', {call_sid = sid, consultant_id = tonumber(consultant_id),
    tier = tonumber(e.tier), own_advisor = (e.advisor_id == consultant_id)})
  return {sid, consultant_id, e.queue_sid, e.callback}
end

-- Pop routing tokens until one pairing is made or none is left.
local function assign_one(now, ring_seconds, lease_seconds)
  while true do
    local token = redis.call('ZPOPMIN', P .. 'dirty:consultants')
    if token[1] then
      local consultant_id = token[1]
      if redis.call('ZSCORE', P .. 'avail', consultant_id) then
        local sid = best_call_for(consultant_id)
        if sid then
          return offer(sid, load_entry(sid), consultant_id, now, ring_seconds, lease_seconds)
        end
      end
    else
      token = redis.call('ZPOPMIN', P .. 'dirty:calls')
      if not token[1] then return nil end
      local sid = token[1]
      local e = load_entry(sid)
      if e.state == 'waiting' and e.routable == '1' then
        local consultant_id = best_consultant_for(e)
        if consultant_id then
          return offer(sid, e, consultant_id, now, ring_seconds, lease_seconds)
        end
      end
    end
  end
end
"""

ENTERING = r"""
-- Create a caller's entry from field/value pairs (args[first..]); a repeat keeps the first.
-- Returns the given fields as now stored: the first join's, or a rejoining caller's old place.
local function join_entry(sid, now, args, first, quiet)
  local key = ekey(sid)
  local names = {}
  for i = first, #args, 2 do names[#names + 1] = args[i] end
  local function kept()
    if quiet then return nil end
    local values = redis.call('HMGET', key, unpack(names))
    local flat = {}
    for i, name in ipairs(names) do
      flat[#flat + 1] = name
      flat[#flat + 1] = str(values[i])
    end
    return flat
  end
  if redis.call('EXISTS', key) == 1 then return kept() end
  local fields = {}
  for i = first, #args, 2 do fields[args[i]] = args[i + 1] end
  local rejoined = '0'
  if fields['caller_number'] and fields['caller_number'] ~= '' then
    local old = redis.call('GETDEL', P .. 'rejoin:' .. fields['caller_number'])
    if old then
      fields['queued_at'] = old
      rejoined = '1'
    end
  end
  fields['state'] = 'joining'
  fields['joined_at'] = num(now)
  fields['rejoined'] = rejoined
  fields['score'] = num(entry_score(fields['queued_at'], fields['priority'], '0'))
  local flat = {}
  for name, value in pairs(fields) do
    flat[#flat + 1] = name
    flat[#flat + 1] = value
  end
  redis.call('HSET', key, unpack(flat))
  redis.call('EXPIRE', key, ENTRY_TTL)
  emit(now, 'call.joined', {call_sid = sid, customer_id = tonumber(fields['customer_id']),
    rejoined = (rejoined == '1')})
  return kept()
end

-- Returns 2 if the call just became routable and a consultant is free for it, 1 if it is
-- (still) waiting, 0 if it is past waiting, -1 if unknown.
local function mark_waiting(sid, queue_sid, now)
  if redis.call('EXISTS', ekey(sid)) == 0 then return -1 end
  local e = load_entry(sid)
  if e.state == 'joining' or (e.state == 'waiting' and e.requeue == '1') then
    redis.call('HSET', ekey(sid), 'state', 'waiting', 'queue_sid', queue_sid, 'seen_at', num(now))
    e.state = 'waiting'
    local someone_free = make_routable(sid, e, now)
    emit(now, 'call.waiting', {call_sid = sid, tier = tonumber(e.tier)})
    if someone_free then return 2 end
    return 1
  end
  if e.state ~= 'waiting' then return 0 end
  redis.call('HSET', ekey(sid), 'queue_sid', queue_sid, 'seen_at', num(now))
  return 1
end
"""

# ARGV: call_sid, now, then field/value pairs of the entry.
JOIN = (
    PRELUDE
    + ENTERING
    + r"""
return join_entry(ARGV[1], tonumber(ARGV[2]), ARGV, 3)
"""
)

# ARGV: call_sid, queue_sid, now.
MARK_WAITING = (
    PRELUDE
    + ENTERING
    + r"""
return mark_waiting(ARGV[1], ARGV[2], tonumber(ARGV[3]))
"""
)

# ARGV: call_sid, queue_sid, now, then field/value pairs: join and become routable at once.
# Returns {mark_waiting's answer, the end of the call's first tier or ''}.
ARRIVE = (
    PRELUDE
    + ENTERING
    + r"""
local now = tonumber(ARGV[3])
join_entry(ARGV[1], now, ARGV, 4, true)
local result = mark_waiting(ARGV[1], ARGV[2], now)
return {result, redis.call('HGET', ekey(ARGV[1]), 'tier_until')}
"""
)

# ARGV: call_sid, consultant_id, now.
CONNECTED = (
    PRELUDE
    + r"""
local sid, consultant_id, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local e = load_entry(sid)
if e.consultant_id ~= consultant_id then return 0 end
if e.state == 'connected' then return 1 end
if e.state ~= 'offered' then return 0 end
redis.call('HSET', ekey(sid), 'state', 'connected')
redis.call('HSETNX', ekey(sid), 'answered_at', num(now))
redis.call('ZREM', P .. 'offers', sid)
change_state(consultant_id, 'on-call', now, '', sid, 0)
if e.callback ~= '1' then
  smooth('wait_ewma', now - (tonumber(e.joined_at) or now), 0.1)
elseif e.pinned == '1' and e.advisor_id == consultant_id then
  -- how soon advisors get round to the callbacks asked of them, for the offer to tell callers
  local asked = tonumber(redis.call('HGET', ekey(sid), 'callback_requested_at') or '') or now
  smooth('advisor_callback_ewma', now - asked, 0.2)
end
emit(now, 'call.connected', {call_sid = sid, consultant_id = tonumber(consultant_id)})
return 1
"""
)

# ARGV: call_sid, consultant_id, now, mode: 'missed' (consultant not-ready, call routable
# again), 'missed-requeue' (not-ready; routable once the caller is back in the Twilio queue),
# 'withdraw-requeue' (consultant free again, no fault of theirs).
RETURN_OFFER = (
    PRELUDE
    + r"""
local sid, consultant_id, now, mode = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local e = load_entry(sid)
if e.state ~= 'offered' or e.consultant_id ~= consultant_id then return 0 end
redis.call('HSET', ekey(sid), 'state', 'waiting', 'consultant_id', '', 'offered_at', '')
redis.call('ZREM', P .. 'offers', sid)
e.state = 'waiting'
if e.callback ~= '1' and (mode == 'missed-requeue' or mode == 'withdraw-requeue') then
  redis.call('HSET', ekey(sid), 'routable', '0', 'requeue', '1')
  redis.call('ZADD', P .. 'waiting', e.score, sid)
else
  make_routable(sid, e, now)
end
local _, _, state, holding = profile(consultant_id)
if holding == sid then
  if mode == 'withdraw-requeue' then
    change_state(consultant_id, 'available', now, '', '', 0)
  else
    change_state(consultant_id, 'not-ready', now, 'missed call', '', 0)
  end
end
emit(now, 'call.requeued', {call_sid = sid, consultant_id = tonumber(consultant_id),
  mode = mode})
return 1
"""
)

# ARGV: call_sid, outcome, now, wrap_seconds, rejoin_seconds, '1' for the final hash, '1' when the
# call's end is unknown (its length is left out of the handling-time average). Closes
# the call once (a repeat changes nothing); returns its final hash, or 1 if it closed it now.
FINISH = (
    PRELUDE
    + r"""
local sid, outcome, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local wrap_seconds, rejoin_seconds = tonumber(ARGV[4]), tonumber(ARGV[5])
local function result(closed)
  if ARGV[6] == '1' then return redis.call('HGETALL', ekey(sid)) end
  return closed
end
if redis.call('EXISTS', ekey(sid)) == 0 then return result(0) end
local e = load_entry(sid)
if e.state == 'ended' then return result(0) end
if e.state ~= 'connected' then
  remove_from_pools(sid, e)
  redis.call('ZREM', P .. 'offers', sid)
end
if e.callback == '1' then
  redis.call('ZREM', P .. 'callbacks_due', sid)
  redis.call('SREM', P .. 'callbacks', sid)
end
redis.call('HSET', ekey(sid), 'state', 'ended', 'outcome', outcome, 'ended_at', num(now),
  'routable', '0', 'ended_from', e.state)
redis.call('EXPIRE', ekey(sid), ENTRY_TTL)
if e.consultant_id ~= '' then
  local _, _, state, holding = profile(e.consultant_id)
  if holding == sid then
    if e.state == 'connected' then
      change_state(e.consultant_id, 'wrap-up', now, '', sid, wrap_seconds)
      if ARGV[7] ~= '1' then  -- '1': found ended later, so its length is unknown
        smooth('handle_ewma', now - (tonumber(e.answered_at) or now), 0.2)
      end
    elseif e.state == 'offered' then
      change_state(e.consultant_id, 'available', now, '', '', 0)
    end
  end
end
if outcome == 'abandoned' and e.caller_number ~= '' and rejoin_seconds > 0
    and e.callback ~= '1' and e.state ~= 'connected' then
  redis.call('SET', P .. 'rejoin:' .. e.caller_number, e.queued_at, 'EX',
    math.max(1, math.floor(rejoin_seconds)))
end
emit(now, 'call.ended', {call_sid = sid, outcome = outcome})
return result(1)
"""
)

# ARGV: consultant_id, state, now, reason, call_sid ('\0' keeps it), wrap_seconds, then
# optionally office, languages (comma-separated), topics, address, name. Returns 2 if the
# consultant is now free and a call is waiting for them, else 1.
SET_STATE = (
    PRELUDE
    + r"""
local consultant_id, state, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local reason, call_sid, wrap_seconds = ARGV[4], ARGV[5], ARGV[6]
if call_sid == '\0' then call_sid = nil end
if #ARGV >= 11 then
  local key = ckey(consultant_id)
  local office, languages, old = profile(consultant_id)
  local new_office, new_languages = ARGV[7], split(ARGV[8])
  local moved = office ~= new_office or str(redis.call('HGET', key, 'languages')) ~= ARGV[8]
  if moved then
    -- Take a consultant who is already indexed out of their old team and languages...
    if old == 'available' then unindex_available(consultant_id, office, languages) end
    if STAFFED[old] then
      if office ~= '' then redis.call('SREM', P .. 'staffed:office:' .. office, consultant_id) end
      for _, language in ipairs(languages) do
        redis.call('SREM', P .. 'staffed:lang:' .. language, consultant_id)
      end
    end
  end
  redis.call('HSET', key, 'office', new_office, 'languages', ARGV[8],
    'topics', ARGV[9], 'address', ARGV[10], 'name', ARGV[11])
  if moved then
    -- ...and into the new ones.
    if STAFFED[old] then set_staffed(consultant_id, new_office, new_languages, true, now) end
    if old == 'available' then index_available(consultant_id, new_office, new_languages, now) end
  end
end
change_state(consultant_id, state, now, reason, call_sid, wrap_seconds)
if redis.call('ZSCORE', P .. 'dirty:consultants', consultant_id) then return 2 end
return 1
"""
)

# ARGV: now, ring_seconds, lease_seconds, max_assignments, timer_batch.
# Runs due timers (tier widening, end of wrap-up, callback retries) then pairs calls.
# Returns {next_timer_or_false, more, sid, consultant, queue_sid, callback, ...}.
TICK = (
    PRELUDE
    + r"""
local now, ring_seconds, lease_seconds = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local max_assignments, batch = tonumber(ARGV[4]), tonumber(ARGV[5])

for _, sid in ipairs(
    redis.call('ZRANGEBYSCORE', P .. 'tier_due', '-inf', now, 'LIMIT', 0, batch)) do
  local e = load_entry(sid)
  if e.state == 'waiting' and e.routable == '1' then
    local before = e.tier
    if tonumber(e.tier) < 4 and tonumber(e.tier_until) > now then
      -- hastened: its tier closed early, so the next one starts now
      e.tier_until = num(now)
    end
    advance_tiers(sid, e, now)
    make_routable(sid, e, now)
    if e.tier ~= before then
      emit(now, 'call.tier', {call_sid = sid, tier = tonumber(e.tier)})
    end
  else
    redis.call('ZREM', P .. 'tier_due', sid)
  end
end

for _, consultant_id in ipairs(
    redis.call('ZRANGEBYSCORE', P .. 'wrapup_due', '-inf', now, 'LIMIT', 0, batch)) do
  redis.call('ZREM', P .. 'wrapup_due', consultant_id)
  local _, _, state = profile(consultant_id)
  if state == 'wrap-up' then
    change_state(consultant_id, 'available', now, 'wrap-up ended', '', 0)
  end
end

for _, sid in ipairs(
    redis.call('ZRANGEBYSCORE', P .. 'callbacks_due', '-inf', now, 'LIMIT', 0, batch)) do
  redis.call('ZREM', P .. 'callbacks_due', sid)
  local e = load_entry(sid)
  if e.state == 'scheduled' then
    redis.call('HSET', ekey(sid), 'state', 'waiting')
    e.state = 'waiting'
    make_routable(sid, e, now)
    emit(now, 'callback.due', {call_sid = sid})
  end
end

local result = {false, 0}
local made = 0
while made < max_assignments do
  local assignment = assign_one(now, ring_seconds, lease_seconds)
  if not assignment then break end
  for _, value in ipairs(assignment) do result[#result + 1] = value end
  made = made + 1
end
if made >= max_assignments and (redis.call('ZCARD', P .. 'dirty:consultants') > 0
    or redis.call('ZCARD', P .. 'dirty:calls') > 0) then
  result[2] = 1
end
local next_due = nil
for _, timers in ipairs({'tier_due', 'wrapup_due', 'callbacks_due', 'offers'}) do
  local head = redis.call('ZRANGE', P .. timers, 0, 0, 'WITHSCORES')
  if head[1] and (next_due == nil or tonumber(head[2]) < next_due) then
    next_due = tonumber(head[2])
  end
end
if next_due then result[1] = num(next_due) end
return result
"""
)

# ARGV: call_sid, number, now, and for a callback asked of the caller's own advisor: how long
# it waits for them (seconds), from when. Returns 1 if the call now waits as a callback.
REQUEST_CALLBACK = (
    PRELUDE
    + r"""
local sid, number, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local hold, hold_from = tonumber(ARGV[4] or '') or 0, tonumber(ARGV[5] or '') or now
local e = load_entry(sid)
if e.callback == '1' then return 1 end
if e.state ~= 'waiting' and e.state ~= 'joining' then return 0 end
remove_from_pools(sid, e)
local priority = redis.call('HGET', ekey(sid), 'priority')
e.score = num(entry_score(e.queued_at, priority, '1'))
e.callback = '1'
e.state = 'waiting'
redis.call('HSET', ekey(sid), 'callback', '1', 'callback_number', number,
  'callback_requested_at', num(now), 'score', e.score, 'state', 'waiting',
  'callback_attempts', '0')
redis.call('PERSIST', ekey(sid))
redis.call('SADD', P .. 'callbacks', sid)
if hold > 0 and e.advisor_id ~= '' then
  -- Only the advisor takes it (tier 1) for hold seconds, breaks included; then, or once they
  -- log off, it widens like any call and their team calls back.
  e.pinned, e.t1 = '1', num(hold)
  redis.call('HSET', ekey(sid), 'pinned', '1', 't1', e.t1)
  settle_tier(sid, e, 1, hold_from)
end
make_routable(sid, e, now)
emit(now, 'callback.requested', {call_sid = sid, for_advisor = (e.pinned == '1')})
return 1
"""
)

# ARGV: call_sid, due, now. A failed callback attempt waits until due, keeping its place.
RESCHEDULE_CALLBACK = (
    PRELUDE
    + r"""
local sid, due, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local e = load_entry(sid)
if e.callback ~= '1' or e.state == 'ended' then return 0 end
remove_from_pools(sid, e)
redis.call('ZREM', P .. 'offers', sid)
redis.call('HSET', ekey(sid), 'state', 'scheduled', 'consultant_id', '', 'routable', '0')
redis.call('ZADD', P .. 'callbacks_due', due, sid)
if e.consultant_id ~= '' then
  local _, _, state, holding = profile(e.consultant_id)
  if holding == sid then change_state(e.consultant_id, 'available', now, '', '', 0) end
end
emit(now, 'callback.scheduled', {call_sid = sid, due = due})
return 1
"""
)

# ARGV: now, lease_seconds. Offers nobody has delivered to Twilio, whose lease ran out.
CLAIM_UNDELIVERED = (
    PRELUDE
    + r"""
local now, lease_seconds = tonumber(ARGV[1]), tonumber(ARGV[2])
local claimed = {}
for _, sid in ipairs(redis.call('ZRANGE', P .. 'offers', 0, -1)) do
  local values = redis.call('HMGET', ekey(sid), 'state', 'delivered_at', 'lease',
    'consultant_id', 'queue_sid', 'callback')
  if values[1] == 'offered' and str(values[2]) == '' and (tonumber(values[3]) or 0) < now then
    redis.call('HSET', ekey(sid), 'lease', num(now + lease_seconds))
    for _, value in ipairs({sid, str(values[4]), str(values[5]), str(values[6])}) do
      claimed[#claimed + 1] = value
    end
  end
end
return claimed
"""
)
