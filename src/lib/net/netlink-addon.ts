/** The hactl_netlink addon: its loader and type live in ../netlink/addon (one loader for native/packet). */
export { loadNetlinkAddon, NETLINK_ADDON_HINT, type NativeNl } from '../netlink/addon';
