from django.urls import path

from questionnaire import views

app_name = "questionnaire"

urlpatterns = [
    path("", views.home, name="home"),
    path("section/<slug:code>/", views.section_step, name="section"),
    path("section/<slug:code>/autosave", views.section_autosave, name="autosave"),
    path("review/", views.review, name="review"),
    path("review/consent", views.consent, name="consent"),
    path("review/submit", views.submit, name="submit"),
    path("submission/", views.submission_view, name="submission"),
]
