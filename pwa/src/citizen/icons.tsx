/** Small decorative icons (inline SVG elements are fine under the CSP: no style attributes). */
const common = {
  width: 28,
  height: 28,
  viewBox: '0 0 24 24',
  fill: 'none',
  stroke: 'currentColor',
  'stroke-width': 2,
  'stroke-linecap': 'round' as const,
  'stroke-linejoin': 'round' as const,
  'aria-hidden': true,
  focusable: 'false',
};

export const IconGuide = () => (
  <svg {...common}>
    <path d="M4 4h12l4 4v12H4z" />
    <path d="M8 12h8M8 16h5M8 8h4" />
  </svg>
);

export const IconReceive = () => (
  <svg {...common}>
    <path d="M3 11l9-7 9 7" />
    <path d="M5 10v10h14V10" />
    <path d="M9 20v-6h6v6" />
  </svg>
);

export const IconReturn = () => (
  <svg {...common}>
    <circle cx="12" cy="12" r="9" />
    <path d="M8 12l3 3 5-6" />
  </svg>
);

export const IconSearch = () => (
  <svg {...common} width={22} height={22}>
    <circle cx="11" cy="11" r="7" />
    <path d="M20 20l-3.5-3.5" />
  </svg>
);

export const IconChevron = () => (
  <svg {...common} width={20} height={20}>
    <path d="M9 6l6 6-6 6" />
  </svg>
);

export const IconBack = () => (
  <svg {...common} width={20} height={20}>
    <path d="M15 6l-6 6 6 6" />
  </svg>
);
