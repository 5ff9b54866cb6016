"""Write the bundled example workbook inputs/kei-jv.xlsx.

A Honda-Mitsubishi joint venture plans one shared all-electric kei platform: a
hatchback sold under both brands with distinct styling, a cube-like commercial
van and a super-height wagon.  The data below are readable Python tables; every
row carries a `notes` cell (ignored by `plan`) that names its source: a tag
[Sn] from the `sources` sheet, or "estimate:" with the reasoning.

Run:  python inputs/build_kei_jv.py          (writes inputs/kei-jv.xlsx)
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

OUT = Path(__file__).with_name("kei-jv.xlsx")

bn = 1_000_000_000  # ¥ billions, for readability
k = 1_000  # ¥ thousands

# ---------------------------------------------------------------------------
# Cost ceilings.  max_unit_cost_jpy = competitor retail price / 1.10 (consumption
# tax) / 1.5 (retail price equivalent: retail ÷ manufacturing cost) - ¥100k of
# assembly, which the plants sheet charges separately.  Rounded to ¥1k.
# ---------------------------------------------------------------------------
TAX, RPE, ASSEMBLY = 1.10, 1.5, 100 * k


def ceiling(retail_jpy: float) -> int:
    return round((retail_jpy / TAX / RPE - ASSEMBLY) / k) * k


def ceiling_note(retail_jpy: float, what: str) -> str:
    return (f"ceiling: {what} ¥{retail_jpy:,.0f} / 1.10 tax / 1.5 RPE - ¥100k assembly "
            f"= ¥{ceiling(retail_jpy):,} (estimate; RPE 1.5 after the EPA/RTI 2009 retail-price-equivalent study)")


# ---------------------------------------------------------------------------
SETTINGS = [
    # setting, value, notes
    ("lifecycle_years", 6, "estimate: typical kei model cycle (N-BOX, Sakura generations ~6 years); ignored here: "
     "the years sheet spells the six years out (2027-2032)"),
    ("wh_per_km_per_kg", 0.05, "estimate: spec default; +220 kg EV mass penalty [S75] ≈ +11 Wh/km"),
    ("time_limit_s", 60, "spec default"),
    ("mip_rel_gap", 0.0001, "prove the optimum (0.01 %): the example closes at the root in under a second"),
    ("integer_units", "no", "estimate: units per year are planning volumes, not whole cars"),
    ("cross_brand_sharing", "yes",
     "[S64][S76] the JV premise: one development serves both brands, as in NMKV; scenario no-sharing turns it off"),
]

BRANDS = [
    ("Honda", "[S17][S19][S43] N-VAN e: / N-ONE e: maker; ≈20 % of kei passenger cars [S43]"),
    ("Mitsubishi", "[S16][S24][S63] eK X EV / Minicab EV maker; builds the NMKV kei EVs at Mizushima [S63]"),
]

# ---------------------------------------------------------------------------
# Variants.  Dimensions are the body before platform parts and pack add to
# them: faces add 10-20 mm of bumper length, wheels 0/10/29 mm of ride height
# (12-inch reference), the pack 25-30 mm of floor height [S23][S27b].  Every
# variant lands on the 3,395 x 1,475 mm envelope every kei EV uses [S11][S17].
# glider_mass_kg = curb mass - platform parts - pack.  base_wh_per_km is set so
# that consumption (= base + 0.05 x mass + option Wh/km) lands in the sourced
# 105-124 Wh/km band [S13].
# ---------------------------------------------------------------------------
VARIANT_COLUMNS = [
    "variant", "brand", "body_style", "length_mm", "width_mm", "height_mm", "seats", "payload_kg",
    "glider_mass_kg", "base_wh_per_km", "range_target_km", "min_power_kw", "pack_bay_mm",
    "max_unit_cost_jpy", "top_hat_dev_cost_jpy", "top_hat_unit_cost_jpy", "min_units", "max_units",
    "must_offer", "launch_from", "launch_by", "notes",
]
# Launch windows (estimate): the hatch leads in 2027 as the JV's first car; its twin follows within a
# year; the van and the wagon need their own bodies and may come any time until 2030; the long-range
# grade is a mid-cycle addition.
LAUNCH = {
    "Honda hatch": ("2027", "2027"), "Mitsubishi hatch": ("2027", "2028"), "Honda hatch LR": ("2028", "2031"),
    "Honda van": ("2027", "2030"), "Mitsubishi van": ("2027", "2030"),
    "Honda wagon": ("2027", "2030"), "Mitsubishi wagon": ("2028", "2030"),
}
SAKURA_X = 2_599_300      # [S14] Jun-2024
SAKURA_S = 2_536_600      # [S14] Jun-2024
NONE_E_L = 3_198_800      # [S19][S20]
MINICAB_2SEAT = 2_431_000  # [S24]
NVAN_E_G = 2_439_800      # [S17]
RACCO_HIGH = 2_600_000    # [S29] "~2.5-2.6 M expected"
RACCO_MID = 2_550_000     # [S29]

VARIANTS = [
    ("Honda hatch", "Honda", "hatchback", 3380, 1475, 1620, 4, 0, 400, 63.5, 180, 39, 1900,
     ceiling(SAKURA_X), 1.8 * bn, 270 * k, 20_000, 45_000, "yes",
     "[S11][S13][S46] tall hatch built like Sakura (3,395x1,475x1,655 mm, 1,070 kg with 20 kWh); "
     "≈110 Wh/km with heat pump, between N-ONE e: 105 and Sakura 124 [S13]; 180 km = Sakura/eK X WLTC range; "
     "39 kW as N-VAN e: G [S18]; up to 45k/yr (Sakura target 50k/yr [S46]); bay 1,900 mm (wheelbase 2,495 [S11]); "
     + ceiling_note(SAKURA_X, "priced at Sakura X [S14]")),
    ("Mitsubishi hatch", "Mitsubishi", "hatchback", 3375, 1475, 1620, 4, 0, 400, 63.5, 180, 39, 1900,
     ceiling(SAKURA_S), 1.8 * bn, 270 * k, 5_000, 15_000, "no",
     "[S15][S16][S46] twin of the Honda hatch as eK X EV is of Sakura: same body and hidden parts, own face "
     "(+20 mm bumper) and trim; eK X EV target 10.2k/yr [S46]; "
     + ceiling_note(SAKURA_S, "priced at Sakura S [S14]")),
    ("Honda hatch LR", "Honda", "hatchback", 3380, 1475, 1620, 4, 0, 410, 63.5, 230, 47, 1900,
     ceiling(NONE_E_L), 0.8 * bn, 300 * k, 3_000, 10_000, "no",
     "[S19][S20][S21] long-range grade of the Honda hatch (N-ONE e: L: 29.6 kWh, 47 kW); +10 kg glider "
     "(sound deadening); derivative top hat; offered only if it pays (no demand row asks for it); "
     + ceiling_note(NONE_E_L, "priced at N-ONE e: L [S19]")),
    ("Honda van", "Honda", "van", 3385, 1475, 1935, 4, 300, 425, 67, 160, 30, 1750,
     ceiling(NVAN_E_G), 2.2 * bn, 320 * k, 4_000, 12_000, "no",
     "[S17][S18][S74] cube van like N-VAN e: (3,395x1,475x1,960 mm, 1,060-1,140 kg, 4 seats -> 300 kg payload); "
     "≈122 Wh/km (N-VAN e: 121 derived); 160 km: Honda routes 50-100 km/day [S18] at 0.6x winter range [S74]; "
     "bay 1,750 mm (cargo-floor kick-up) takes up to 25 kWh; "
     + ceiling_note(NVAN_E_G, "priced at N-VAN e: G [S17]")),
    ("Mitsubishi van", "Mitsubishi", "van", 3385, 1475, 1935, 2, 350, 415, 67, 160, 30, 1750,
     ceiling(MINICAB_2SEAT), 1.8 * bn, 300 * k, 3_000, 10_000, "no",
     "[S24][S25][S26][S73] Minicab EV successor: 2 seats, 350 kg payload, 10 kg lighter trim; 77 % of kei-van "
     "drivers ≤65 km/day [S73]; top hat dev lower (Minicab know-how, estimate); "
     + ceiling_note(MINICAB_2SEAT, "priced at Minicab EV 2-seat [S24]")),
    ("Honda wagon", "Honda", "wagon", 3380, 1475, 1745, 4, 0, 440, 69, 190, 47, 2000,
     ceiling(RACCO_HIGH), 3.0 * bn, 290 * k, 8_000, 25_000, "no",
     "[S28][S29][S30][S40] super-height wagon with sliding doors (Racco 1,800 mm; N-BOX 206k/yr as ICE [S40]); "
     "≈1,180 kg with 25 kWh NMC, ≈1,230 kg with 24 kWh LFP; 123-128 Wh/km; needs 47 kW, rear discs and "
     "15-inch tyres like Racco [S30]; "
     "190 km (Racco Std targets >200 km [S28]); long floor: bay 2,000 mm; "
     + ceiling_note(RACCO_HIGH, "priced at the top of BYD Racco's expected range [S29]")),
    ("Mitsubishi wagon", "Mitsubishi", "wagon", 3380, 1475, 1745, 4, 0, 440, 69, 190, 47, 2000,
     ceiling(RACCO_MID), 3.0 * bn, 290 * k, 5_000, 12_000, "no",
     "[S28][S29][S30] Mitsubishi twin of the super-height wagon, own face; "
     + ceiling_note(RACCO_MID, "priced mid-range of BYD Racco's expected [S29]")),
]

VARIANTS = [row[:-1] + LAUNCH[row[0]] + (row[-1] + f"; launch window {LAUNCH[row[0]][0]}-{LAUNCH[row[0]][1]} (estimate)",)
            for row in VARIANTS]

# ---------------------------------------------------------------------------
CATEGORIES = [
    # category, required, shared, notes
    ("body_structure", "yes", "yes",
     "[S64][S68] floor, battery bay and side structure; NMKV designed the body for an underfloor pack [S64]"),
    ("motor", "yes", "yes", "[S12][S18][S65] e-motor; NMKV reused an existing motor [S65]"),
    ("inverter", "yes", "yes", "estimate: power electronics"),
    ("reduction_gear", "yes", "yes", "estimate: single-speed reducer, one design for all"),
    ("front_suspension", "yes", "yes", "estimate: MacPherson strut, one design for all"),
    ("rear_suspension", "yes", "yes", "estimate: torsion beam; cargo van needs a heavy-duty beam [S17][S26]"),
    ("brakes", "yes", "yes", "[S30] heavier variants need rear discs (Racco)"),
    ("hvac", "yes", "yes", "[S74] climate load: with the heater on, winter range is ≈0.6x WLTC; a heat pump saves energy"),
    ("obc", "yes", "yes", "estimate: on-board AC charger"),
    ("dc_fast_charge", "no", "yes", "estimate: CHAdeMO port is optional (at most one option); scenario dc-fast-standard makes it required"),
    ("exterior_styling", "yes", "no",
     "[S15][S86] brand-distinct face (bumpers, grille, lamps): each brand pays its own tooling"),
    ("interior", "yes", "yes",
     "[S15][S76] hard parts shared (IP carrier, seat frames, ducts); brand trim and colours sit in the top hat, "
     "as Sakura and eK X EV differ in styling and interior"),
    ("wheels_tyres", "yes", "yes", "[S30] heavier variants need 15-inch tyres (Racco 165/65R15)"),
    ("low_voltage", "yes", "yes", "estimate: 12 V auxiliary battery"),
]

# category, option, dev_cost, unit_cost, mass, power_kw, wh_per_km, height, length, body_styles, brands, notes
PART_COLUMNS = ["category", "option", "dev_cost_jpy", "unit_cost_jpy", "mass_kg", "power_kw", "wh_per_km",
                "height_mm", "length_mm", "body_styles", "brands", "notes"]
PARTS = [
    ("body_structure", "hatch underbody", 7.0 * bn, 140 * k, 210, 0, 0, 0, 0, "hatchback", "",
     "estimate: floor pan with battery bay, side frames; ¥7 bn (small-car programs $92-160 M in all [S62])"),
    ("body_structure", "tall underbody", 8.0 * bn, 155 * k, 235, 0, 0, 0, 0, "van, wagon", "",
     "estimate: one tall floor/side structure for van and super-height wagon (VW small class ≈65 % common parts [S68])"),
    ("body_structure", "cab-over van underbody", 5.5 * bn, 140 * k, 220, 0, 0, 0, 0, "van", "",
     "estimate: Minicab-style cab-over floor [S24]; lighter and cheaper per unit but a program of its own"),

    ("motor", "EM30 30 kW", 0.8 * bn, 95 * k, 38, 30, 0, 0, 0, "", "",
     "[S24][S27] estimate: carry-over MiEV-family ~30 kW motor (unverified rating), small re-development"),
    ("motor", "EM39 39 kW", 2.0 * bn, 115 * k, 43, 39, 0, 0, 0, "", "",
     "[S12][S18] N-VAN e: G/L2 run 39 kW (rated 39 kW); estimate: cost and dev"),
    ("motor", "EM47 47 kW", 2.5 * bn, 130 * k, 47, 47, 0, 0, 0, "", "",
     "[S5][S11][S12] 47 kW = voluntary kei cap; Sakura 47 kW/195 Nm; estimate: longer stack, cost and dev"),

    ("inverter", "Si-IGBT inverter", 1.2 * bn, 70 * k, 12, 0, 0, 0, 0, "", "",
     "estimate: silicon IGBT inverter"),
    ("inverter", "SiC inverter", 1.6 * bn, 100 * k, 10, 0, -3, 0, 0, "", "",
     "estimate: silicon-carbide switches, ≈2.5 % lower loss -> -3 Wh/km, +¥30k"),

    ("reduction_gear", "single-speed reducer", 0.6 * bn, 28 * k, 18, 0, 0, 0, 0, "", "",
     "estimate: one reducer for every variant"),

    ("front_suspension", "MacPherson strut", 0.8 * bn, 30 * k, 36, 0, 0, 0, 0, "", "",
     "estimate: one strut for every variant"),

    ("rear_suspension", "torsion beam", 0.6 * bn, 22 * k, 30, 0, 0, 0, 0, "hatchback, wagon", "",
     "estimate: passenger beam"),
    ("rear_suspension", "heavy-duty torsion beam", 0.5 * bn, 27 * k, 36, 0, 0, 0, 0, "van", "",
     "[S17][S26] estimate: 300-350 kg payload needs a stiffer beam"),

    ("brakes", "rear drum", 0.3 * bn, 18 * k, 22, 0, 0, 0, 0, "hatchback, van", "",
     "estimate: front disc / rear drum, enough up to ≈1,100 kg curb"),
    ("brakes", "rear disc", 0.45 * bn, 27 * k, 26, 0, 0, 0, 0, "", "",
     "[S30] four-wheel discs, needed by the heavy wagon (Racco has rear discs)"),

    ("hvac", "PTC heater + A/C", 0.5 * bn, 45 * k, 16, 0, 0, 0, 0, "", "",
     "[S74] resistive heater; base_wh_per_km includes its average climate load"),
    ("hvac", "heat pump", 1.5 * bn, 85 * k, 22, 0, -7, 0, 0, "hatchback, wagon", "",
     "[S74] estimate: heat pump cuts average climate load by ≈7 Wh/km (winter range 0.6x of WLTC with heater)"),
    ("hvac", "heat pump roof module", 0.8 * bn, 95 * k, 26, 0, -7, 45, 0, "van", "",
     "estimate: the van's short bonnet has no room for the heat-pump exchanger; a roof module adds 45 mm, "
     "which takes the 1,960 mm van past the 2,000 mm limit"),

    ("obc", "3.3 kW charger", 0.3 * bn, 25 * k, 6, 0, 0, 0, 0, "hatchback, wagon", "",
     "estimate: overnight home charging"),
    ("obc", "6.6 kW charger", 0.4 * bn, 40 * k, 8, 0, 0, 0, 0, "", "",
     "estimate: fleets recharge between shifts, so the van needs 6.6 kW"),

    ("dc_fast_charge", "CHAdeMO port", 0.5 * bn, 35 * k, 6, 0, 0, 0, 0, "", "",
     "estimate: optional; never pays in a cost-only plan unless required"),

    ("exterior_styling", "Honda hatch face", 1.5 * bn, 38 * k, 20, 0, 0, 0, 15, "hatchback", "Honda",
     "estimate: Honda bumpers, lamps, grille (+15 mm bumper)"),
    ("exterior_styling", "Mitsubishi hatch face", 1.6 * bn, 42 * k, 22, 0, 0, 0, 20, "hatchback", "Mitsubishi",
     "[S15][S16] estimate: Mitsubishi face (+20 mm bumper), as the eK X EV's styling differs from Sakura's"),
    ("exterior_styling", "Honda wagon face", 1.5 * bn, 40 * k, 22, 0, 0, 0, 15, "wagon", "Honda",
     "estimate: Honda super-height face"),
    ("exterior_styling", "Mitsubishi wagon face", 1.6 * bn, 44 * k, 24, 0, 0, 0, 15, "wagon", "Mitsubishi",
     "estimate: Mitsubishi super-height face"),
    ("exterior_styling", "van face", 0.6 * bn, 25 * k, 15, 0, 0, 0, 10, "van", "",
     "estimate: badge-engineered commercial face; each brand still pays its own grille/badge tooling (shared: no)"),

    ("interior", "passenger interior", 1.4 * bn, 95 * k, 55, 0, 0, 0, 0, "hatchback, wagon", "",
     "estimate: instrument panel carrier, seat frames, ducts for hatch and wagon"),
    ("interior", "cargo interior", 0.6 * bn, 50 * k, 35, 0, 0, 0, 0, "van", "",
     "estimate: simple trim, fold-flat seats"),

    ("wheels_tyres", "12-inch LT tyres", 0.1 * bn, 22 * k, 46, 0, 0, 0, 0, "van", "",
     "estimate: 145/80R12 LT (kei vans); height reference"),
    ("wheels_tyres", "14-inch tyres", 0.15 * bn, 30 * k, 52, 0, 0, 10, 0, "hatchback", "",
     "estimate: 155/65R14, 20 mm larger diameter than 12-inch -> +10 mm"),
    ("wheels_tyres", "15-inch tyres", 0.2 * bn, 38 * k, 60, 0, 0, 29, 0, "hatchback, wagon", "",
     "[S30] 165/65R15 as Racco (load rating for the heavy wagon), 58 mm larger diameter -> +29 mm"),

    ("low_voltage", "12 V lead-acid", 0.05 * bn, 8 * k, 13, 0, 0, 0, 0, "", "",
     "estimate: conventional 12 V battery"),
    ("low_voltage", "12 V Li-ion", 0.2 * bn, 22 * k, 4, 0, 0, 0, 0, "", "",
     "estimate: -9 kg for +¥14k"),
]

# ---------------------------------------------------------------------------
# Packs.  NMC list price = ¥16.5k/kWh + ¥25k: BNEF 2025 BEV pack $99/kWh [S50] x
# ¥150 = ¥14.9k, +10 % for a Japan-made NMC pack (between China $84 and EU/US
# +44-56 %), plus BMS/junction box/case.  LFP: BNEF LFP pack $81/kWh [S50] x ¥150
# +3 % = ¥12.5k/kWh.  NMC mass 12 kg + 6.1 kg/kWh, LFP 12 + 8.0 kg/kWh (lower
# energy density, also longer); floor +25-30 mm [S23][S27b].
# ---------------------------------------------------------------------------
PACK_COLUMNS = ["pack", "usable_kwh", "mass_kg", "height_mm", "length_mm", "dev_cost_jpy", "unit_cost_jpy", "notes"]


def nmc_price(kwh: float) -> int:
    return round((16_500 * kwh + 25_000) / k) * k


def lfp_price(kwh: float) -> int:
    return round((12_500 * kwh + 25_000) / k) * k


PACKS = [
    ("16 kWh NMC", 16, 110, 25, 1250, 2.5 * bn, nmc_price(16),
     "[S25][S27] Minicab-MiEV had 16 kWh; estimate: 16 x ¥16.5k + ¥25k; 12 + 6.1 kg/kWh"),
    ("20 kWh NMC", 20, 134, 25, 1450, 3.0 * bn, nmc_price(20),
     "[S11][S50] Sakura/eK X EV/Minicab EV carry 20 kWh; estimate: $99/kWh [S50] x ¥150 +10 % "
     "-> ¥16.5k/kWh + ¥25k BMS/case; 12 + 6.1 kg/kWh; dev ¥3 bn (modules, case, crash validation)"),
    ("25 kWh NMC", 25, 165, 28, 1700, 3.2 * bn, nmc_price(25),
     "[S50] estimate: 25 x ¥16.5k + ¥25k; 28 mm floor rise; 1,700 mm fits the van bay"),
    ("30 kWh NMC", 30, 195, 30, 1880, 3.5 * bn, nmc_price(30),
     "[S17][S21][S23] N-VAN e:/N-ONE e: 29.6 kWh, floor +30 mm [S23]; estimate: 30 x ¥16.5k + ¥25k; "
     "1,880 mm is too long for the van bay"),
    ("24 kWh LFP", 24, 204, 30, 1980, 4.0 * bn, lfp_price(24),
     "[S28][S50] LFP like BYD Racco's Blade packs [S28]; LFP pack $81/kWh [S50] x ¥150 +3 % -> ¥12.5k/kWh "
     "+ ¥25k; 12 + 8.0 kg/kWh; 1,980 mm fits only the wagon's long floor; dev ¥4 bn incl. qualifying an "
     "LFP cell supplier (estimate)"),
    ("30 kWh LFP", 30, 252, 36, 1990, 4.0 * bn, lfp_price(30),
     "[S28][S50] Racco LR carries 30 kWh LFP [S28]; estimate: 30 x ¥12.5k + ¥25k; 12 + 8.0 kg/kWh; "
     "a second cell layer under the rear seat -> 36 mm floor rise; wagon floor only"),
]

# ---------------------------------------------------------------------------
# Volume tiers (all-units): annual-volume price breaks of -4/-5 % at 30k and
# -7/-9 % at 60k.  Cell learning is 15-24 % per doubling of *cumulative* output
# [S53][S54] and cells are ~78 % of pack cost [S52]; an annual-volume doubling at a
# supplier is worth a few per cent (estimate).
# ---------------------------------------------------------------------------
TIER_STEPS_PACK = [(30_000, 0.95), (60_000, 0.91)]
TIER_STEPS_PART = [(30_000, 0.96), (60_000, 0.93)]
TIER_ITEMS = (
    [(p[0], p[6], TIER_STEPS_PACK, "[S52][S53][S54] pack price break") for p in PACKS]
    + [(f"{c}/{o}", u, TIER_STEPS_PART, "[S53][S55] supplier price break")
       for c, o, _d, u, *_rest in PARTS if c in ("motor", "inverter")]
)
TIERS = [
    (item, units, round(list_price * factor / 100) * 100,
     f"{note}, estimate: list ¥{list_price:,} x {factor:.2f} from {units:,}/yr (all-units)")
    for item, list_price, steps, note in TIER_ITEMS
    for units, factor in steps
]

# ---------------------------------------------------------------------------
PLANTS = [
    # plant, capacity, assembly, line_cost, body_styles, notes
    ("Mizushima", 60_000, 95 * k, 4.0 * bn, "hatchback, van",
     "[S48][S63][S76] Mitsubishi plant that builds Sakura/eK X EV (≈55k/yr achieved [S48]); estimate: "
     "¥4 bn per body style (the ¥8 bn EV line incl. pack assembly [S63] over two styles); assumed unable to "
     "take a super-height body"),
    ("Suzuka", 40_000, 105 * k, 4.5 * bn, "hatchback, van, wagon",
     "estimate: Honda kei plant (general knowledge, not in the facts file); new EV line incl. pack assembly, "
     "¥4.5 bn per body style; higher assembly cost per unit"),
]

DEMAND = [
    # scope, name, min, max, year, notes (a blank year: every year, scaled by its demand_factor)
    ("brand", "Honda", 40_000, None, None, "[S43] estimate: Honda ≈20 % of kei passenger cars, the bigger partner"),
    ("brand", "Mitsubishi", 15_000, None, None,
     "[S46] estimate: NMKV split 83:17 (Sakura 50k : eK X 10.2k) -> Mitsubishi ≈15-20 %"),
    ("body_style", "van", None, 12_000, None,
     "[S27][S40] estimate: cargo kei 356k/yr [S40], Minicab-MiEV only ~13k in 12 years [S27]: at most 12k a year"),
] + [
    ("total", "", units, None, year,
     f"[S40][S43] estimate: ≈5 % of the 1.56 M kei market [S40] at full volume; BEV kei 44.5k in 2023 [S43]; "
     f"the JV's sales ramp up from its launch; row for {year}")
    for year, units in (("2027", 35_000), ("2028", 60_000), ("2029", 75_000), ("2030", 79_000), ("2031", 75_000), ("2032", 68_000))
] + [
    ("body_style", "van", 8_000, None, year,
     f"estimate: fleet contracts (parcel carriers [S18]) take 8k vans a year from 2029; row for {year}")
    for year in ("2029", "2030", "2031", "2032")
] + [
    ("body_style", "wagon", 15_000, None, year,
     f"[S44] estimate: super-height segment ≈500k/yr [S44]; the JV must answer BYD's Racco there from 2028; row for {year}")
    for year in ("2028", "2029", "2030", "2031", "2032")
]

# ---------------------------------------------------------------------------
# The programme, 2027-2032.  Pack prices (relative to the 2025 prices of the packs sheet): BNEF -20 %
# in 2024 and -8 % in 2025 [S51][S50], recent falls driven by overcapacity rather than learning [S52];
# estimate: -6 %/yr to 2028, then -4 %/yr.  Parts -1 %/yr (supplier learning, estimate [S55]).
# Ceilings: BYD's Racco arrives in 2026 [S29][S31] and BYD cuts prices as it scales (Seagull [S33]):
# estimate -2 % in 2028, -3 % from 2029.  Demand: 60 % in the launch year, full volume from 2029,
# tailing off at the end of the cycle (Sakura 37k in 2023, 21k in FY2024 [S43][S45]).  Capacity: new
# lines ramp up to 80 % in their first year (estimate).  Discount factor: 6 %/yr real, a carmaker's
# cost of capital (estimate).
# ---------------------------------------------------------------------------
YEAR_COLUMNS = ["year", "demand_factor", "capacity_factor", "pack_cost_factor", "part_cost_factor", "ceiling_factor",
                "discount_factor", "notes"]
_PACKS = {2027: 0.94 ** 2, 2028: 0.94 ** 3}
_PACKS.update({y: _PACKS[2028] * 0.96 ** (y - 2028) for y in range(2029, 2033)})
_DEMAND = {2027: 0.6, 2028: 0.85, 2029: 1.0, 2030: 1.05, 2031: 1.0, 2032: 0.9}
_CEILING = {2027: 1.0, 2028: 0.98}
YEARS = [
    (str(y), _DEMAND[y], 0.8 if y == 2027 else 1.0, round(_PACKS[y], 3), round(0.99 ** (y - 2026), 3), _CEILING.get(y, 0.97),
     round(1.06 ** -(y - 2027), 3),
     f"[S50][S51][S52] estimate: packs {_PACKS[y]:.3f} x 2025 prices; [S29][S33] ceilings x{_CEILING.get(y, 0.97):g}; "
     f"[S43][S45] demand x{_DEMAND[y]:g}; discount 6 %/yr")
    for y in range(2027, 2033)
]

# The futures one plan must stand in (plan solve --robust).  Probabilities are the planners' judgement
# (estimate), stated so that they can be argued with.
FUTURES = [
    ("base", 0.5, "estimate: prices, ranges and BYD as the sheets have them"),
    ("price-war", 0.25, "[S29][S33] estimate: BYD's Racco starts a price war (ceilings -7 %); BYD has cut Seagull prices "
     "repeatedly in China [S33]"),
    ("battery-up-20", 0.15, "[S50] estimate: metal prices push packs up 20 %; BNEF 2025 prices fell despite rising metals [S50]"),
    ("longer-range", 0.1, "[S28][S31] estimate: Racco LR's >300 km resets buyers' expectations (+30 km on every target)"),
]

RULES = [
    ("max_length_mm", 3400, "[S1][S2][S4] legal, inclusive"),
    ("max_width_mm", 1480, "[S1][S2] legal, inclusive"),
    ("max_height_mm", 2000, "[S1][S2] legal, inclusive"),
    ("max_seats", 4, "[S2][S3] industry practice"),
    ("max_payload_kg", 350, "[S2][S26][S17] cargo kei"),
    ("max_power_kw", 47, "[S5][S6] voluntary 64 PS cap, applies to EVs"),
]

SCENARIO_COLUMNS = ["scenario", "sheet", "match", "column", "op", "value", "notes"]
SCENARIOS = (
    [("battery-up-20", "packs", "", "unit_cost_jpy", "multiply", 1.2,
      "[S50] metal prices rise: every pack's list price +20 %")]
    + [("battery-up-20", "tiers", f"item={p[0]}", "unit_cost_jpy", "multiply", 1.2,
        f"[S50] and the volume-tier prices of {p[0]} +20 %") for p in PACKS]
    + [
        ("price-war", "variants", "", "max_unit_cost_jpy", "multiply", 0.93,
         "[S29][S33] BYD price war: every cost ceiling -7 %"),
        ("longer-range", "variants", "", "range_target_km", "add", 30,
         "[S28][S31] Racco LR >300 km raises expectations: every range target +30 km"),
        ("no-sharing", "settings", "cross_brand_sharing", "value", "set", "no",
         "estimate: each brand develops alone: the cost difference is what the JV's shared development is worth"),
        ("dc-fast-standard", "categories", "category=dc_fast_charge", "required", "set", "yes",
         "estimate: dealers ask for CHAdeMO on every variant"),
    ]
)

SOURCES = [
    ("S1", "Wikipedia \"Kei car\" (mirror)", "https://en.m.wiki.x.io/wiki/Kei_jidosha"),
    ("S2", "MOBY kei standard table", "https://car-moby.jp/article/automobile/minicar-standard-car"),
    ("S3", "WebCartop, MLIT on kei seating", "https://webcartop.jp/?p=1123969"),
    ("S4", "mtechxp kei size rules", "http://www.mtechxp.net/size/"),
    ("S5", "Kuruma News, 64 PS self-regulation", "https://kuruma-news.jp/post/556208"),
    ("S6", "Yahoo Chiebukuro (i-MiEV), 47 kW cap regardless of motor type",
     "https://carview.yahoo.co.jp/ncar/catalog/mitsubishi/i_miev/chiebukuro/detail/?qid=10115449865"),
    ("S11", "Nissan Sakura data (wiki mirror)", "https://review.clateway.com/wiki/view_html.php?q=Nissan_Sakura"),
    ("S12", "Motor-Fan, Sakura G vs N-VAN e: FUN", "https://motor-fan.jp/mf/article/320447"),
    ("S13", "EV Times, Sakura 124 vs N-ONE e: 105 Wh/km", "https://ev-times.com/2026/02/21/9506/2"),
    ("S14", "car-research.jp, Sakura prices Jun-2024", "https://car-research.jp/imk/ev-3.html"),
    ("S15", "Nikkei xTECH, NMKV kei EV cost measures, launch prices",
     "https://xtech.nikkei.com/atcl/nxt/mag/at/18/00091/00002/"),
    ("S16", "autoevolution, eK X EV",
     "https://www.autoevolution.com/news/mitsubishi-ek-x-ev-is-the-nissan-sakura-from-another-mother-189280.html"),
    ("S17", "EVsmart, N-VAN e: grade table",
     "https://blog.evsmart.net/honda/nvane/honda-n-van-e-test-drive-working-ev-single-occupant-focused"),
    ("S18", "Yahoo News, N-VAN e: 39 kW grades; Honda delivery-distance survey",
     "https://news.yahoo.co.jp/articles/3e6363dd38a93f9827f703173a6e205e586b5b2f?page=2"),
    ("S19", "Toyo Keizai, N-ONE e: dims/price", "https://toyokeizai.net/articles/-/905367?page=3"),
    ("S20", "Car and Driver JP, N-ONE e:", "https://www.caranddriver.co.jp/newcar/107750"),
    ("S21", "MONOist, N-ONE e: platform/pack", "https://monoist.itmedia.co.jp/mn/articles/2509/16/news040_2.html"),
    ("S23", "DIME, N-ONE e: floor +30 mm", "https://dime.jp/genre/2034273/2"),
    ("S24", "docomo ichioshi, Minicab EV price/dims", "https://ichioshi.smt.docomo.ne.jp/articles/news/23793"),
    ("S25", "EVsmart, Minicab EV",
     "https://blog.evsmart.net/mmc/pioneer-of-light-commercial-evs-mitsubishi-minicab-ev-short-test-drive-report"),
    ("S26", "TopGear PH, Minicab EV payload",
     "https://www.topgear.com.ph/news/car-news/mitsubishi-minicab-ev-2024-a5100-20231128"),
    ("S27", "WebCartop, Minicab EV launch & MiEV volume", "https://webcartop.jp/2023/11/1243511/2/amp"),
    ("S27b", "Grand Prix, MiEV floor +25 mm", "http://grandprix-book.jp/gpmb/2011/11/post-17.html"),
    ("S28", "EVsmart, Racco 20/30 kWh", "https://blog.evsmart.net/?p=102162"),
    ("S29", "AFPBB/CGTN, Racco", "https://www.afpbb.com/articles/-/3606278"),
    ("S30", "Nikkan Jidosha, Racco tyres/brakes", "https://www.netdenjd.com/archives/617478"),
    ("S31", "electrive, Racco",
     "https://www.electrive.com/2025/10/30/byd-to-enter-japans-kei-car-market-with-the-new-racco"),
    ("S33", "Bloomberg (repost), Seagull prices",
     "https://squidbusiness.fr/byd-revises-seagull-hatchback-pricing-as-china-war-intensifies"),
    ("S40", "Response, kei 2024", "https://response.jp/article/2025/01/13/390751.html"),
    ("S43", "Inovev, kei 2023 & BEV kei",
     "https://inovev.com/index.php/de/market-analyses/category-blog/20149-2024-08-10?rCH=2"),
    ("S44", "Motor Magazine, Sakura FY2023", "https://web.motormagazine.co.jp/_ct/17694474?fr=al"),
    ("S45", "Car-L, Sakura FY2024 sales", "https://car-l.co.jp/?p=92584"),
    ("S46", "nippon.com, Sakura/eK X targets", "https://www.nippon.com/en/japan-topics/g02204/"),
    ("S47", "Japan Times, Japan's top-selling EV",
     "https://www.japantimes.co.jp/business/2023/10/24/companies/japan-top-selling-ev/"),
    ("S48", "Gooto, 100k cumulative Sakura + eK X EV",
     "https://gooto.com/read/1849753/produksi-mitsubishi-ek-x-ev-dan-nissan-sakura-capai-100-ribu-unit"),
    ("S50", "BNEF 2025 battery price survey (press release)",
     "https://about.bnef.com/insights/clean-transport/lithium-ion-battery-pack-prices-fall-to-108-per-kilowatt-hour-despite-rising-metal-prices-bloombergnef"),
    ("S51", "BNEF 2024 battery price survey", "https://mercomindia.com/lithium-ion-battery-historic-low-price"),
    ("S52", "BNEF 2023 battery price survey", "https://evboosters.com/ev-charging-news/bnef-reports-14-drop-in-battery-prices-in-2023/"),
    ("S53", "Ziegler & Trancik, Energy Environ. Sci. 2021", "http://www.arxiv.org/abs/2007.13920"),
    ("S54", "Kittner, Lill & Kammen, Nature Energy 2017", "https://www.nature.com/articles/nenergy2017125"),
    ("S55", "RMI learning curves",
     "http://www.rmi.org/RFGraph-Cumulative_volume_based_learning_curves_for_battery_packs_fuel_cell_systems"),
    ("S62", "Small-car development costs (aggregating WSJ/BusinessToday)", "https://nraoiekc.blogspot.com/2015/11"),
    ("S63", "Nikkan Jidosha / KSB, Mizushima ¥8 bn", "https://www.netdenjd.com/articles/-/235800"),
    ("S64", "Toyo Keizai, NMKV platform/battery reuse", "https://toyokeizai.net/articles/-/642379?page=3"),
    ("S65", "Best Car Web, motor reuse", "https://bestcarweb.jp/feature/column/473567?prd=2"),
    ("S68", "de Weck/Suh MIT slides 2002 (VW ~65 % common parts)",
     "https://studylib.net/doc/11222702/platform-architecture-level-optimization-approach--"),
    ("S73", "NHK via etalon (77 % of kei-van drivers ≤65 km/day)",
     "https://etalon-it.bigcdn.ru/iskluchitelnoe-sobytie-mitsubishi-vozvrashaet-na-rynok-elektromobil-minicab-miev"),
    ("S74", "ENGINE web (Kunisawa), real-world range factors", "https://engineweb.jp/article/detail/3353033?page=2"),
    ("S75", "Dayz vs Sakura mass, 350 V pack", "https://asunaroweb.blogspot.com/2024/01/phev-18.html"),
    ("S76", "Car Watch, NMKV development/production split",
     "https://car.watch.impress.co.jp/docs/column/kusakabe/1425302.html"),
    ("S86", "Sudjianto & Otto 2001 (brand-carrier vs platform modules)",
     "https://studylib.net/doc/11116031/proceedings-of-detc--asme-design-engineering-technical-co..."),
]

ABOUT = [
    "kei-jv.xlsx: the example workbook bundled with `plan` (written by inputs/build_kei_jv.py; edit the script, not this file)",
    "",
    "Honda and Mitsubishi form a joint venture to develop and build all-electric kei cars on one shared platform:",
    "a hatchback sold under both brands with distinct styling, a cube-like commercial van and a super-height wagon.",
    "The battery is the most expensive part, so range is kept 'just right': 160-190 km targets.",
    "",
    "`plan solve` chooses which variants to offer, which platform parts and battery packs to develop and share,",
    "the units per year and the plants, at minimum lifecycle cost (development + 6 years of production).",
    "",
    "Sheets read by plan: settings, brands, variants, categories, parts, packs, tiers, plants, demand, rules, scenarios.",
    "Sheets plan ignores: about (this page) and sources (the [Sn] tags cited in the notes columns).",
    "Every data row has a notes cell, which plan ignores: [Sn] = sourced figure; 'estimate' = assumption with its reasoning.",
    "Money is yen. Cost ceilings = competitor retail price / 1.10 consumption tax / 1.5 retail price equivalent - ¥100k assembly.",
    "",
    "Try:  plan solve inputs/kei-jv.xlsx --out report.xlsx",
    "      plan solve inputs/kei-jv.xlsx --scenario no-sharing --json",
    "Scenarios: battery-up-20, price-war, longer-range, no-sharing, dc-fast-standard.",
]

# ---------------------------------------------------------------------------

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_table(wb: Workbook, name: str, header: list[str], rows: list[tuple]) -> None:
    ws = wb.create_sheet(name)
    ws.append(header)
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for row in rows:
        assert len(row) == len(header), (name, row)
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "B2"
    for i, col in enumerate(header, start=1):
        letter = ws.cell(row=1, column=i).column_letter
        if col == "notes":
            ws.column_dimensions[letter].width = 100
        else:
            longest = max(len(str(col)), *(len(str(r[i - 1])) for r in rows)) if rows else len(col)
            ws.column_dimensions[letter].width = min(max(10, longest + 2), 40)


def _cell(v):
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


TABLES = [
    # sheet, header, rows
    ("settings", ["setting", "value", "notes"], SETTINGS),
    ("brands", ["brand", "notes"], BRANDS),
    ("variants", VARIANT_COLUMNS, VARIANTS),
    ("categories", ["category", "required", "shared", "notes"], CATEGORIES),
    ("parts", PART_COLUMNS, PARTS),
    ("packs", PACK_COLUMNS, PACKS),
    ("tiers", ["item", "min_units", "unit_cost_jpy", "notes"], TIERS),
    ("plants", ["plant", "capacity_units", "assembly_cost_jpy", "line_cost_jpy", "body_styles", "notes"], PLANTS),
    ("demand", ["scope", "name", "min_units", "max_units", "year", "notes"], DEMAND),
    ("rules", ["rule", "value", "notes"], RULES),
    ("scenarios", SCENARIO_COLUMNS, SCENARIOS),
    ("years", YEAR_COLUMNS, YEARS),
    ("futures", ["scenario", "probability", "notes"], FUTURES),
]


def cited_sources() -> list[tuple[str, str, str]]:
    """The SOURCES rows whose tags some notes cell cites; fail on a tag SOURCES lacks."""
    cited = {tag for _sheet, _header, rows in TABLES for row in rows for tag in re.findall(r"\[(S\d+b?)\]", row[-1])}
    known = {tag for tag, _title, _url in SOURCES}
    missing = cited - known
    if missing:
        raise SystemExit(f"notes cite tags missing from SOURCES: {sorted(missing)}")
    return [src for src in SOURCES if src[0] in cited]


def build() -> Workbook:
    wb = Workbook()
    about = wb.active
    about.title = "about"
    for line in ABOUT:
        about.append([line])
    about["A1"].font = Font(bold=True, size=12)
    about.column_dimensions["A"].width = 120

    for name, header, rows in TABLES:
        assert header[-1] == "notes" and all(row[-1] for row in rows), f"{name}: every row needs a note"
        write_table(wb, name, header, rows)
    write_table(wb, "sources", ["tag", "title", "url"], [(f"[{t}]", title, url) for t, title, url in cited_sources()])
    return wb


FIXED_TIME = "2026-01-01T00:00:00Z"  # stamped into the file so that rebuilding gives identical bytes


def save_reproducibly(wb: Workbook, path: Path) -> None:
    """Save like wb.save, but with fixed document dates and zip timestamps (no diff noise in git)."""
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + FIXED_TIME.encode(), data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)


if __name__ == "__main__":
    save_reproducibly(build(), OUT)
    print(f"wrote {OUT}")
