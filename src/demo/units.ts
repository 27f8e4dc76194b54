/**
 * The demo organisation tree, after seed 000 (Tỉnh Bình Phước and its departments) plus a few
 * district and commune People's Committees. Agency codes are synthetic, in the national format.
 */
import type { UnitKind } from '../db/schema/index.js';

export type DemoUnit = { key: string; name: string; shortName?: string; agencyCode?: string; kind: UnitKind; children?: DemoUnit[] };

export const DEMO_TREE: DemoUnit = {
  key: 'tinh',
  name: 'Tỉnh Bình Phước',
  shortName: 'BP',
  agencyCode: '000.00.00.H10',
  kind: 'province',
  children: [
    { key: 'vp', name: 'Văn phòng UBND tỉnh', shortName: 'VP UBND', agencyCode: '000.00.01.H10', kind: 'department' },
    { key: 'sgd', name: 'Sở Giáo dục và Đào tạo', shortName: 'SGDĐT', agencyCode: '000.00.12.H10', kind: 'department' },
    {
      key: 'sct',
      name: 'Sở Công Thương',
      shortName: 'SCT',
      agencyCode: '000.00.13.H10',
      kind: 'department',
      children: [
        { key: 'sct-ld', name: 'Lãnh đạo SCT', kind: 'division' },
        { key: 'sct-vp', name: 'Văn phòng Sở Công Thương', kind: 'division' },
        { key: 'sct-qlcn', name: 'Quản lý công nghiệp', kind: 'division' },
        { key: 'sct-qltm', name: 'Quản lý Thương mại', kind: 'division' },
        { key: 'sct-tt', name: 'Thanh tra Sở CT', kind: 'division' },
        { key: 'sct-qlnl', name: 'Quản lý năng lượng', kind: 'division' },
        { key: 'sct-tt-kc', name: 'Trung tâm Khuyến công & TVPTCN', kind: 'centre' },
      ],
    },
    { key: 'sgtvt', name: 'Sở Giao thông Vận tải', shortName: 'SGTVT', agencyCode: '000.00.14.H10', kind: 'department' },
    { key: 'skhdt', name: 'Sở Kế hoạch và Đầu tư', shortName: 'SKHĐT', agencyCode: '000.00.15.H10', kind: 'department' },
    { key: 'skhcn', name: 'Sở Khoa học và Công nghệ', shortName: 'SKHCN', agencyCode: '000.00.16.H10', kind: 'department' },
    { key: 'sldtbxh', name: 'Sở Lao động TB&XH', shortName: 'SLĐTBXH', agencyCode: '000.00.17.H10', kind: 'department' },
    {
      key: 'snv',
      name: 'Sở Nội vụ',
      shortName: 'SNV',
      agencyCode: '000.00.18.H10',
      kind: 'department',
      children: [
        { key: 'snv-vp', name: 'Văn phòng Sở Nội vụ', kind: 'division' },
        { key: 'snv-tcbc', name: 'Phòng Tổ chức biên chế', kind: 'division' },
      ],
    },
    {
      key: 'dx',
      name: 'UBND thành phố Đồng Xoài',
      shortName: 'UBND TP Đồng Xoài',
      agencyCode: '000.00.30.H10',
      kind: 'district',
      children: [
        { key: 'dx-vp', name: 'Văn phòng HĐND và UBND thành phố', kind: 'division' },
        { key: 'dx-tanphu', name: 'UBND phường Tân Phú', agencyCode: '000.31.30.H10', kind: 'commune' },
        { key: 'dx-tanbinh', name: 'UBND phường Tân Bình', agencyCode: '000.32.30.H10', kind: 'commune' },
      ],
    },
    {
      key: 'bd',
      name: 'UBND huyện Bù Đăng',
      shortName: 'UBND H. Bù Đăng',
      agencyCode: '000.00.31.H10',
      kind: 'district',
      children: [
        { key: 'bd-vp', name: 'Văn phòng HĐND và UBND huyện', kind: 'division' },
        { key: 'bd-minhhung', name: 'UBND xã Minh Hưng', agencyCode: '000.33.31.H10', kind: 'commune' },
      ],
    },
  ],
};
