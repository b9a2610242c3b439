//! Activities per month and kind as a stacked bar chart: inline SVG drawn
//! here (no chart library), with a legend and a text alternative.

use crate::i18n::{use_i18n, T};
use crate::settings::template;
use leptos::prelude::*;
use xunfang_core::report::MonthRow;

/// Colours for kinds, in order (repeat past eight kinds).
const COLOURS: [&str; 8] = ["#1f5f8b", "#d08a00", "#3a8f5c", "#b2463c", "#6d5ba8", "#2a9bb3", "#8a6d3b", "#c45c9a"];
const MONTHS_EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const BAR: f64 = 28.0;
const GAP: f64 = 14.0;
const LEFT: f64 = 36.0;
const TOP: f64 = 12.0;
const PLOT: f64 = 180.0;
const BOTTOM: f64 = 40.0;

#[component]
pub fn BarChart(rows: Vec<MonthRow>, kinds: Vec<String>) -> impl IntoView {
    let i18n = use_i18n();
    let english = i18n.english();
    let max = rows.iter().map(|r| r.counts.iter().sum::<u32>()).max().unwrap_or(0).max(1);
    let step = (max as f64 / 5.0).ceil().max(1.0) as u32;
    let top = step * max.div_ceil(step);
    let scale = PLOT / top as f64;
    let width = LEFT + rows.len() as f64 * (BAR + GAP) + GAP;
    let height = TOP + PLOT + BOTTOM;
    let several_years = rows.first().map(|r| r.year) != rows.last().map(|r| r.year);
    let kind_label = move |k: &str| template().kind_label(k, english).to_string();

    let grid = (0..=top)
        .step_by(step as usize)
        .map(|v| {
            let y = TOP + PLOT - v as f64 * scale;
            view! {
                <line x1=LEFT x2=width y1=y y2=y class="grid"/>
                <text x={LEFT - 6.0} y={y + 4.0} text-anchor="end" class="axis">{v}</text>
            }
        })
        .collect_view();

    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let x = LEFT + GAP + i as f64 * (BAR + GAP);
            let month = if english { MONTHS_EN[(r.month - 1) as usize].to_string() } else { format!("{}月", r.month) };
            let label = if several_years && (i == 0 || r.month == 1) { format!("{} {}", r.year, month) } else { month };
            let mut y = TOP + PLOT;
            let segments = r
                .counts
                .iter()
                .enumerate()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| {
                    let h = *n as f64 * scale;
                    y -= h;
                    let tip = format!("{label} {}: {n}", kind_label(&kinds[k]));
                    view! { <rect x=x y=y width=BAR height=h fill=COLOURS[k % COLOURS.len()]><title>{tip}</title></rect> }
                })
                .collect_view();
            view! {
                <g class="bar" data-month={format!("{}-{:02}", r.year, r.month)} data-total={r.counts.iter().sum::<u32>()}>
                    {segments}
                    <text x={x + BAR / 2.0} y={TOP + PLOT + 16.0} text-anchor="middle" class="axis">{label}</text>
                </g>
            }
        })
        .collect_view();

    let legend = kinds
        .iter()
        .enumerate()
        .map(|(k, key)| {
            let style = format!("background:{}", COLOURS[k % COLOURS.len()]);
            view! { <li><span class="swatch" style=style></span>{kind_label(key)}</li> }
        })
        .collect_view();

    view! {
        <figure class="chart">
            <svg
                class="bar-chart"
                role="img"
                aria-label=move || i18n.t(T::ChartTitle)
                viewBox=format!("0 0 {width} {height}")
                width=width
                height=height
                xmlns="http://www.w3.org/2000/svg"
            >
                <title>{move || i18n.t(T::ChartTitle)}</title>
                {grid}
                {bars}
            </svg>
            <figcaption>
                {move || i18n.t(T::ChartTitle)}
                <ul class="legend">{legend}</ul>
            </figcaption>
        </figure>
    }
}
