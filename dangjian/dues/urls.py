from django.urls import path

from dangjian.core.views import scoped_file_view
from dangjian.dues import ledger_views, views
from dangjian.dues.models import FundEntry

app_name = "dues"

urlpatterns = [
    path("", views.ArrearsView.as_view(), name="arrears"),
    path("sheet.xlsx", views.payment_sheet, name="sheet"),
    path("members/<int:pk>/", views.MemberDuesView.as_view(), name="member"),
    path("members/<int:pk>/standard/", views.StandardView.as_view(), name="standard"),
    path("members/<int:pk>/pay/", views.PaymentView.as_view(), name="pay"),
    path("members/<int:pk>/voluntary/", views.VoluntaryView.as_view(), name="voluntary"),
    path("handovers/", ledger_views.HandoversView.as_view(), name="handovers"),
    path("handovers/new/<int:org>/", ledger_views.HandOverView.as_view(), name="hand_over"),
    path("handovers/<int:pk>/confirm/", ledger_views.ConfirmHandoverView.as_view(), name="confirm_handover"),
    path("handovers/<int:pk>/withdraw/", ledger_views.withdraw_handover, name="withdraw_handover"),
    path("funds/", ledger_views.FundsView.as_view(), name="funds"),
    path("funds/<int:org>/income/", ledger_views.IncomeView.as_view(), name="fund_income"),
    path("funds/<int:org>/expenditure/", ledger_views.ExpenditureView.as_view(), name="fund_expenditure"),
    path("funds/<int:org>/allocate/", ledger_views.GrantView.as_view(), name="fund_grant"),
    path("funds/<int:org>/statement.<str:fmt>", ledger_views.fund_statement, name="fund_statement"),
    path("funds/entries/<int:pk>/", ledger_views.FundEntryView.as_view(), name="fund_entry"),
    path("funds/entries/<int:pk>/voucher/", scoped_file_view(FundEntry, "voucher"), name="fund_voucher"),
]
