"""One POST per workflow step; on bad input the order page comes back with what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.permissions import role_required
from repairs import services, workflow
from repairs.forms import AssignForm, CompleteForm, ConsentForm, LineFormSet, NoteForm, RescheduleForm
from repairs.views.orders import ORDER_ROLES, detail_context, visible_order


@require_POST
@role_required(*ORDER_ROLES)
def order_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in workflow.STEPS:
        raise Http404
    order = visible_order(request, pk)
    if not workflow.may(request.user, order, action):
        if order.status in workflow.STEPS[action].sources:
            raise PermissionDenied  # the status allows it; the user's role does not
        messages.error(
            request,
            _("This step is no longer possible: the order is “%(status)s”.") % {"status": order.get_status_display()},
        )
        return redirect(order)
    seen = request.POST.get("version", "")
    if not (seen.isascii() and seen.isdigit()) or len(seen) > 9:
        messages.error(request, _("This page was out of date; nothing was saved. Here is the order as it is now."))
        return redirect(order)
    order.version = int(seen)  # the step applies only to the order as this user saw it
    forms = _bound_forms(request, order, action)
    told = False
    # Every form is checked (no short cut at the first invalid one): all messages show at once.
    valid = [form.is_valid() for form in forms.values()]
    if all(valid):
        try:
            _run(order, action, request.user, forms)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                _attach(error, forms)
            else:  # not about a field: someone else changed the order first, say so on top
                messages.error(request, " ".join(error.messages))
                told = True
                order = visible_order(request, pk)  # show the order as it is now, with what was typed
        else:
            messages.success(request, _("%(step)s: done.") % {"step": workflow.label(action)})
            return redirect(order)
    if not told:
        messages.error(request, _("The step was not saved; see the messages below."))
    context = detail_context(request, order, **forms)
    return render(request, "repairs/order_detail.html", context, status=200)


def _bound_forms(request: HttpRequest, order, action: str) -> dict:
    data = request.POST
    if action == "assign":
        return {"assign_form": AssignForm(data, suggestions=services.technician_suggestions(order))}
    if action == "reschedule":
        return {"reschedule_form": RescheduleForm(data)}
    if action == "quote":
        return {"line_formset": LineFormSet(data, prefix="lines")}
    if action == "complete":
        return {"complete_form": CompleteForm(data), "line_formset": LineFormSet(data, prefix="lines")}
    if action == "consent":
        return {"consent_form": ConsentForm(data)}
    return {"note_form": NoteForm(data)}


def _run(order, action: str, user, forms: dict) -> None:
    cleaned = {name: form.cleaned_data if not hasattr(form, "lines") else None for name, form in forms.items()}
    note = forms["note_form"].cleaned_data["note"] if "note_form" in forms else ""
    if action == "assign":
        workflow.assign(order=order, technician=cleaned["assign_form"]["technician"], by=user)
    elif action == "reschedule":
        data = cleaned["reschedule_form"]
        workflow.reschedule(order=order, new_time=data["new_time"], note=data["note"], by=user)
    elif action == "arrive":
        workflow.arrive(order=order, by=user)
    elif action == "quote":
        workflow.quote(order=order, lines=forms["line_formset"].lines(), by=user)
    elif action == "consent":
        workflow.consent(order=order, by=user, **cleaned["consent_form"])
    elif action == "complete":
        workflow.complete(order=order, by=user, lines=forms["line_formset"].lines(), **cleaned["complete_form"])
    elif action == "close":
        workflow.close(order=order, by=user, note=note)
    elif action == "reopen":
        workflow.reopen(order=order, by=user, note=note)
    elif action == "cancel":
        workflow.cancel(order=order, by=user, note=note)


def _attach(error: ValidationError, forms: dict) -> None:
    """Put the workflow's errors next to the fields they are about."""
    form = next((f for f in forms.values() if not hasattr(f, "lines")), None)
    if form is None:
        form = NoteForm({})
        form.is_valid()
        forms["note_form"] = form
    for field, messages_ in error.message_dict.items():
        target = next((f for f in forms.values() if field in getattr(f, "fields", {})), None)
        (target or form).add_error(field if target else None, messages_)
