"""One hand-off to a worker thread per request.

FastAPI runs every plain (``def``) dependency in a worker thread of its own, then the endpoint
in another, and the end of the transaction in a third: each hand-off wakes a thread and the
event loop again, which cost a cheap read more than its queries. Here a request's blocking
work runs in a single hand-off: the dependencies declared with :func:`in_endpoint_thread`
(authentication: it reads the database), the endpoint, and the commit (or rollback) of the
request's unit of work, in that order, in one thread. The event loop keeps what never blocks:
parsing, opening a session (no connection is taken until the first query), rendering.

The route, not a generator dependency, ends a unit of work its endpoint's thread left open (a
request refused before its endpoint ran, an endpoint that is a coroutine): a generator costs
FastAPI an exit stack entered and left on every request, where a ``try`` here costs nothing.

A dependency declared this way hands the endpoint its value, never anything else: it is
resolved before the endpoint runs, on every route of :class:`OneHopRoute`, whether or not the
endpoint takes it as an argument; on any other route it refuses to run at all.
"""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from openkyc.db.session import SessionFactory, UnitOfWork

# Keys of the request's ASGI scope (the same dict every Request object of the request reads).
_ONE_HOP = "openkyc.one_hop"
_DEFERRED = "openkyc.deferred"
_UNIT_OF_WORK = "openkyc.unit_of_work"
# The extra parameter through which FastAPI hands the wrappers below the request.
_REQUEST = "openkyc_request"

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def open_unit_of_work(request: Request, maker: SessionFactory) -> UnitOfWork:
    """The request's unit of work, for the endpoint's thread to end (or the route, when the
    endpoint's thread never ran). Only on a :class:`OneHopRoute`, which ends it."""
    if not request.scope.get(_ONE_HOP):
        raise RuntimeError("a unit of work is opened only on a OneHopRoute")
    work = UnitOfWork(maker)
    request.scope[_UNIT_OF_WORK] = work
    return work


async def _end_work(request: Request, error: BaseException | None = None) -> None:
    """Commit (``error`` None) or roll back the request's unit of work if it is still open;
    a rollback raises ``error`` (or what it stands for). Without a hand-off when it read
    nothing."""
    work: UnitOfWork | None = request.scope.get(_UNIT_OF_WORK)
    if work is None or work.ended:
        return
    end = work.commit if error is None else functools.partial(work.roll_back, error)
    if work.idle:
        end()
    else:
        await run_in_threadpool(end)


class Deferred:
    """A dependency's call, made in the endpoint's thread, once per request: a second
    ``resolve`` gives the same value, or raises the same error."""

    __slots__ = ("_arguments", "_call", "_error", "_value", "attempted")

    def __init__(self, call: Callable[..., Any], arguments: dict[str, Any]) -> None:
        self._call, self._arguments = call, arguments
        self._value: Any = None
        self._error: BaseException | None = None
        self.attempted = False

    def resolve(self) -> Any:
        if not self.attempted:
            self.attempted = True
            try:
                self._value = self._call(**_resolved(self._arguments))
            except BaseException as error:
                self._error = error
                raise
        if self._error is not None:
            raise self._error
        return self._value


def _resolved(arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        name: value.resolve() if isinstance(value, Deferred) else value
        for name, value in arguments.items()
    }


def _with_request(call: Callable[..., Any]) -> tuple[inspect.Signature, Callable[..., Request]]:
    """``call``'s signature (annotations evaluated) with a parameter that receives the request,
    and how to take the request out of the arguments FastAPI then passes. FastAPI hands the
    request to one parameter only, so ``call``'s own is used when it has one."""
    signature = inspect.signature(call, eval_str=True)
    for parameter in signature.parameters.values():
        if parameter.annotation is Request:
            return signature, operator.itemgetter(parameter.name)
    extra = inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
    signature = signature.replace(parameters=[*signature.parameters.values(), extra])
    return signature, lambda arguments: arguments.pop(_REQUEST)


@functools.cache
def in_endpoint_thread(call: Callable[..., Any]) -> Callable[..., Coroutine[Any, Any, Any]]:
    """``Depends(in_endpoint_thread(f))``: ``f`` (a plain function that may block) runs in the
    endpoint's worker thread, just before the endpoint, with the same arguments FastAPI would
    give it. One callable per ``f``, so FastAPI's per-request cache still calls it once."""

    signature, request_of = _with_request(call)

    async def defer(**arguments: Any) -> Deferred:
        request = request_of(arguments)
        if not request.scope.get(_ONE_HOP):
            # Never hand on a value that was not checked: a route of another class would.
            raise RuntimeError(f"{call.__qualname__} runs only on a OneHopRoute")
        deferred = Deferred(call, arguments)
        request.scope.setdefault(_DEFERRED, []).append(deferred)
        return deferred

    defer.__signature__ = signature  # type: ignore[attr-defined]
    defer.__qualname__ = defer.__name__ = f"deferred_{call.__name__}"
    return defer


def _resolve_all(request: Request, arguments: dict[str, Any]) -> dict[str, Any]:
    """Every deferred dependency of the request, whether the endpoint takes it or not, in the
    order FastAPI solved them; then the endpoint's arguments."""
    for deferred in request.scope.get(_DEFERRED, ()):
        deferred.resolve()
    return _resolved(arguments)


def _in_thread(request: Request, endpoint: Callable[..., Any], arguments: dict[str, Any]) -> Any:
    """The request's blocking work, in one worker thread."""
    work: UnitOfWork | None = request.scope.get(_UNIT_OF_WORK)
    try:
        result = endpoint(**_resolve_all(request, arguments))
    except BaseException as error:
        if work is not None and not work.ended:
            work.roll_back(error)
        raise
    if work is not None and not work.ended:
        work.commit()
    return result


def _one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    if getattr(endpoint, "one_hop", False):  # routes copied by include_router
        return endpoint
    signature, request_of = _with_request(endpoint)
    run: Callable[..., Any]
    if inspect.iscoroutinefunction(endpoint):
        # Its own awaits stay on the loop; the deferred dependencies take one hand-off, and
        # the route ends the transaction.
        async def run_async(**arguments: Any) -> Any:
            request = request_of(arguments)
            if request.scope.get(_DEFERRED):
                arguments = await run_in_threadpool(_resolve_all, request, arguments)
            return await endpoint(**arguments)

        run = run_async
    else:

        async def run_sync(**arguments: Any) -> Any:
            request = request_of(arguments)
            return await run_in_threadpool(_in_thread, request, endpoint, arguments)

        run = run_sync
    # What FastAPI reads of an endpoint (no ``__wrapped__``: FastAPI must see a coroutine).
    for name in ("__module__", "__name__", "__qualname__", "__doc__"):
        setattr(run, name, getattr(endpoint, name))
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.one_hop = True  # type: ignore[attr-defined]
    return run


def _unresolved(request: Request) -> bool:
    return any(not deferred.attempted for deferred in request.scope.get(_DEFERRED, ()))


async def credentials_first(request: Request) -> None:
    """For a dependency about to do heavy work with the request (decode a large body): the
    deferred dependencies solved before it (the credentials) run now, in a hand-off of their
    own, so a caller without credentials is refused before that work, as on any route."""
    if _unresolved(request):
        await run_in_threadpool(_resolve_all, request, {})


class OneHopRoute(APIRoute):
    """A route whose blocking work takes one hand-off to a worker thread (module docstring).
    The endpoint's response is rendered on the event loop."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _one_hop(endpoint), **kwargs)

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def one_hop(request: Request) -> Response:
            request.scope[_ONE_HOP] = True
            try:
                response = await handle(request)
            except Exception as error:
                # Refused before its endpoint ran (a malformed query or body): the
                # credentials still answer first (401, 403, 429 before 422), and the rate
                # limit counts the request, as when they were checked in that order.
                try:
                    if _unresolved(request):
                        await run_in_threadpool(_resolve_all, request, {})
                except Exception as refused:
                    await _end_work(request, refused)
                    raise
                await _end_work(request, error)
                raise
            except BaseException as error:  # cancelled: nothing is kept
                await _end_work(request, error)
                raise
            await _end_work(request)
            return response

        return one_hop
