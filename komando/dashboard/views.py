from django.shortcuts import render


def pis(request):
    return render(request, "dashboard/pis.html", {})
