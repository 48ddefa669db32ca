/** One hook per notification resource, and the keys mutations invalidate. */
import { useQuery } from '@tanstack/react-query';
import type { DeliveryInfo, EndpointInfo, NotificationPrefs } from '../../../shared/notifications.js';
import { api } from '../api/http.js';

export const notificationKeys = {
  prefs: ['notifications', 'preferences'] as const,
  endpoints: ['notifications', 'endpoints'] as const,
  deliveries: ['notifications', 'deliveries'] as const,
};

export function usePreferences() {
  return useQuery({ queryKey: notificationKeys.prefs, queryFn: () => api<{ preferences: NotificationPrefs; emailAvailable: boolean }>('/api/v1/notifications/preferences') });
}

export function useEndpoints() {
  return useQuery({ queryKey: notificationKeys.endpoints, queryFn: () => api<{ endpoints: EndpointInfo[]; emailAvailable: boolean }>('/api/v1/notifications/endpoints') });
}

export function useDeliveries() {
  return useQuery({ queryKey: notificationKeys.deliveries, queryFn: async () => (await api<{ deliveries: DeliveryInfo[] }>('/api/v1/notifications/deliveries?limit=100')).deliveries, refetchInterval: 10_000 });
}
