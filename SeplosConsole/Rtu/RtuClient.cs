using System.Collections.Concurrent;
using System.Diagnostics;
using SeplosConsole.Transport;

namespace SeplosConsole.Rtu;

/// <summary>
/// Modbus RTU master on one bus. Sends one request at a time (callers from several tasks are
/// serialised), frames the reply by its expected length, skips an echo of the request, slides
/// over garbage one byte at a time and retries timeouts and CRC errors. Thread-safe.
/// </summary>
public sealed class RtuClient : IAsyncDisposable
{
    private readonly IBusTransport _transport;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _bus = new(1, 1);
    private readonly ConcurrentDictionary<byte, LinkCounters> _perAddress = new();
    private readonly byte[] _buffer = new byte[512];
    // Every byte of the current attempt as it arrived (the scan slides bytes out of _buffer), so a
    // failure can show what came; a reply is at most 256 bytes, anything beyond is noise.
    private readonly byte[] _received = new byte[256];
    private int _receivedLength;
    private long _lastExchangeEnd;
    // Attempts of the last request that got no reply of their own, and the length of such a reply.
    private (int Count, int Length, byte Address) _unanswered;
    // The line may hold bytes that are not an answer to our next request (just opened, or extra bytes seen).
    private bool _unsettled = true;

    public RtuClient(IBusTransport transport, RtuClientOptions? options = null, TimeProvider? time = null)
    {
        _transport = transport;
        Options = options ?? new RtuClientOptions();
        _time = time ?? TimeProvider.System;
    }

    public RtuClientOptions Options { get; }
    public IBusTransport Transport => _transport;
    public LinkCounters Counters { get; } = new();
    public bool IsConnected => _transport.IsOpen;

    /// <summary>Raised on the bus task after every reply (normal or exception) with its round trip, for timing statistics.</summary>
    public event EventHandler<RtuRoundTrip>? ReplyReceived;

    public LinkCounters CountersFor(byte address) => _perAddress.GetOrAdd(address, _ => new LinkCounters());

    public IReadOnlyDictionary<byte, LinkCountersSnapshot> AddressCounters()
        => _perAddress.ToDictionary(p => p.Key, p => p.Value.Snapshot());

    /// <summary>Opens the link if it is closed (first use, or after an unplug).</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_transport.IsOpen)
            {
                await _transport.OpenAsync(cancellationToken).ConfigureAwait(false);
                _unsettled = !_transport.OpensQuiet;
            }
        }
        finally
        {
            _bus.Release();
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the reply, which may be a Modbus exception.
    /// Throws <see cref="RtuTimeoutException"/>, <see cref="RtuCrcException"/>,
    /// <see cref="RtuMismatchException"/> after the retries, or <see cref="TransportException"/>.
    /// </summary>
    public async Task<RtuResponse> SendAsync(RtuRequest request, CancellationToken cancellationToken)
    {
        await _bus.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var perAddress = CountersFor(request.Address);
            RtuException? last = null;
            for (var attempt = 0; attempt <= Options.Retries; attempt++)
            {
                try
                {
                    var response = await ExchangeAsync(request, perAddress, cancellationToken).ConfigureAwait(false);
                    // Each failed attempt may still be answered: one reply is in hand, the rest may follow.
                    _unanswered = (attempt, request.ExpectedResponseLength, request.Address);
                    return response;
                }
                catch (RtuException ex) when (ex is RtuTimeoutException or RtuCrcException or RtuMismatchException)
                {
                    last = ex;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Cancelled after the request may have gone out: its answer can still come, and
                    // the next caller (another task on this bus) must not take it for its own.
                    _unanswered = (attempt + 1, request.ExpectedResponseLength, request.Address);
                    throw;
                }
            }
            _unanswered = (Options.Retries + 1, request.ExpectedResponseLength, request.Address);
            throw last!;
        }
        finally
        {
            _bus.Release();
        }
    }

    private async Task<RtuResponse> ExchangeAsync(RtuRequest request, LinkCounters perAddress, CancellationToken cancellationToken)
    {
        if (!_transport.IsOpen)
        {
            try
            {
                await _transport.OpenAsync(cancellationToken).ConfigureAwait(false);
                _unsettled = !_transport.OpensQuiet;
            }
            catch (TransportException)
            {
                Counters.LinkFailure();
                perAddress.LinkFailure();
                throw;
            }
        }
        await KeepGapAsync(cancellationToken).ConfigureAwait(false);
        if (_unsettled || _unanswered.Count > 0)
        {
            await SettleLineAsync(cancellationToken).ConfigureAwait(false);
        }

        var frame = request.Encode();
        try
        {
            _transport.DiscardInput();
            Counters.Request(frame.Length);
            perAddress.Request(frame.Length);
            var started = _time.GetTimestamp();
            await _transport.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            var response = await ReadReplyAsync(request, frame, perAddress, cancellationToken).ConfigureAwait(false);
            var roundTrip = _time.GetElapsedTime(started);
            Counters.Reply(roundTrip);
            perAddress.Reply(roundTrip);
            if (response.IsException)
            {
                Counters.ExceptionReply();
                perAddress.ExceptionReply();
            }
            ReplyReceived?.Invoke(this, new RtuRoundTrip(request, roundTrip, response.IsException));
            return response;
        }
        catch (TransportException)
        {
            Counters.LinkFailure();
            perAddress.LinkFailure();
            throw;
        }
        finally
        {
            _lastExchangeEnd = _time.GetTimestamp();
        }
    }

    private async Task KeepGapAsync(CancellationToken cancellationToken)
    {
        var gap = Options.InterRequestGap;
        if (_lastExchangeEnd == 0 || gap <= TimeSpan.Zero)
        {
            return;
        }
        var wait = gap - _time.GetElapsedTime(_lastExchangeEnd);
        if (wait <= TimeSpan.Zero)
        {
            return;
        }
        await PreciseDelay.WaitAsync(_time, wait, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// RTU has no transaction ids: requests of the same shape (the two SPA halves, say) get replies
    /// of the same length, so a late answer to an attempt that timed out, or an answer to a request
    /// another program sent before we opened the port, would be taken for our next request's.
    /// Reads and drops the answers still owed (waiting up to one time-out for them), then waits
    /// for <see cref="RtuClientOptions.SettleQuiet"/> of silence; never longer than two time-outs.
    /// Costs time only after an open, an error or stray bytes.
    /// </summary>
    private async Task SettleLineAsync(CancellationToken cancellationToken)
    {
        var owed = _unanswered.Count * _unanswered.Length;
        // What is drained belongs to the pack that still owed answers, not to the next request's;
        // after an open or stray bytes it is nobody's and only the link counts it.
        var owner = owed > 0 ? CountersFor(_unanswered.Address) : null;
        var (unanswered, unsettled) = (_unanswered, _unsettled);
        _unanswered = default;
        _unsettled = false;
        try
        {
            await DrainAsync(owed, owner, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Not settled: the next request settles again (and waits for what is still owed).
            (_unanswered, _unsettled) = (unanswered, unsettled);
            throw;
        }
    }

    private async Task DrainAsync(int owed, LinkCounters? owner, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var limit = Options.Timeout * 2;
        while (true)
        {
            var elapsed = _time.GetElapsedTime(started);
            var wait = owed > 0 ? Options.Timeout - elapsed : Options.SettleQuiet;
            if (wait <= TimeSpan.Zero || elapsed >= limit)
            {
                return;
            }
            using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            window.CancelAfter(wait);
            try
            {
                var read = await _transport.ReadAsync(_buffer, window.Token).ConfigureAwait(false);
                owed -= read;
                Counters.Received(read);
                Counters.Discarded(read);
                owner?.Received(read);
                owner?.Discarded(read);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (owed <= 0)
                {
                    return;
                }
                // The owed answers did not come (they were lost, not late); still settle once.
                owed = 0;
            }
        }
    }

    private async Task<RtuResponse> ReadReplyAsync(RtuRequest request, byte[] sent, LinkCounters perAddress, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Timeout);
        var length = 0;
        var sawCrcError = false;
        var echoSkipped = false;
        _receivedLength = 0;
        try
        {
            while (true)
            {
                if (length == _buffer.Length)
                {
                    // Only garbage fills the buffer this far; keep the newest half.
                    Discard(ref length, length / 2, perAddress);
                }
                var read = await _transport.ReadAsync(_buffer.AsMemory(length), timeout.Token).ConfigureAwait(false);
                Counters.Received(read);
                perAddress.Received(read);
                var kept = Math.Min(read, _received.Length - _receivedLength);
                _buffer.AsSpan(length, kept).CopyTo(_received.AsSpan(_receivedLength));
                _receivedLength += kept;
                length += read;

                while (length > 0)
                {
                    var outcome = Scan(request, sent, ref length, ref echoSkipped, perAddress, out var response);
                    if (outcome == ScanOutcome.Complete)
                    {
                        return response!;
                    }
                    if (outcome == ScanOutcome.NeedMore)
                    {
                        break;
                    }
                    if (outcome == ScanOutcome.CrcFailed)
                    {
                        sawCrcError = true;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (sawCrcError)
            {
                Counters.CrcError();
                perAddress.CrcError();
                throw new RtuCrcException(request.Address, _received.AsSpan(0, _receivedLength));
            }
            Counters.Timeout();
            perAddress.Timeout();
            throw new RtuTimeoutException(request.Address, Options.Timeout, length, _received.AsSpan(0, _receivedLength));
        }
    }

    private enum ScanOutcome { NeedMore, Progress, CrcFailed, Complete }

    /// <summary>Looks at the start of the buffer: an echo, garbage, a partial or a complete reply.</summary>
    private ScanOutcome Scan(RtuRequest request, byte[] sent, ref int length, ref bool echoSkipped, LinkCounters perAddress, out RtuResponse? response)
    {
        response = null;
        var data = _buffer.AsSpan(0, length);

        // Some USB adapters hand back our own request before the reply. While what we have is a
        // prefix of the request and not yet a valid reply, wait; once the whole request is here
        // and it is not a valid reply, it is the echo.
        if (!echoSkipped && IsPrefixOf(data, sent) && !IsCompleteReply(request, data))
        {
            if (data.Length < sent.Length)
            {
                return ScanOutcome.NeedMore;
            }
            Discard(ref length, sent.Length, perAddress, countAsGarbage: false);
            Counters.Echo();
            perAddress.Echo();
            echoSkipped = true;
            return ScanOutcome.Progress;
        }

        if (data[0] != request.Address)
        {
            Discard(ref length, 1, perAddress);
            return ScanOutcome.Progress;
        }
        if (data.Length < 2)
        {
            return ScanOutcome.NeedMore;
        }
        int expected;
        if (data[1] == (byte)request.Function)
        {
            expected = request.ExpectedResponseLength;
        }
        else if (data[1] == ((byte)request.Function | 0x80))
        {
            expected = RtuRequest.ExceptionLength;
        }
        else
        {
            Discard(ref length, 1, perAddress);
            return ScanOutcome.Progress;
        }
        if (data.Length < expected)
        {
            return ScanOutcome.NeedMore;
        }
        response = RtuResponse.TryParse(request, data[..expected], out var problem);
        if (response is not null)
        {
            if (data.Length > expected)
            {
                Counters.Discarded(data.Length - expected);
                perAddress.Discarded(data.Length - expected);
                // Something else is on the line; let it pass before the next request.
                _unsettled = true;
            }
            return ScanOutcome.Complete;
        }
        // Not our reply after all: slide one byte and look again (resynchronise).
        Discard(ref length, 1, perAddress);
        return problem == "CRC error" ? ScanOutcome.CrcFailed : ScanOutcome.Progress;
    }

    private static bool IsPrefixOf(ReadOnlySpan<byte> data, ReadOnlySpan<byte> sent)
    {
        var common = Math.Min(data.Length, sent.Length);
        return data[..common].SequenceEqual(sent[..common]);
    }

    private static bool IsCompleteReply(RtuRequest request, ReadOnlySpan<byte> data)
        => data.Length >= request.ExpectedResponseLength
           && RtuResponse.TryParse(request, data[..request.ExpectedResponseLength], out _) is not null;

    private void Discard(ref int length, int count, LinkCounters perAddress, bool countAsGarbage = true)
    {
        _buffer.AsSpan(count, length - count).CopyTo(_buffer);
        length -= count;
        if (countAsGarbage)
        {
            Counters.Discarded(count);
            perAddress.Discarded(count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _transport.DisposeAsync().ConfigureAwait(false);
        _bus.Dispose();
    }
}

/// <summary>One request and the time from sending it to its complete reply (retries are separate round trips).</summary>
public sealed record RtuRoundTrip(RtuRequest Request, TimeSpan RoundTrip, bool IsException);
